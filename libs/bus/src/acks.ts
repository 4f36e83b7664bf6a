import type { BusLogger, RedisClient } from './types.js';
import { backoffDelay, sleep } from './backoff.js';

/**
 * Acknowledges handled entries in batches: every id acked within one tick of
 * the event loop goes out as one XACK. An ack is only queued after its
 * handler succeeded; if the process dies before the flush, the entry is
 * redelivered and the idempotent handler runs again.
 */
export class AckBatcher {
  #pending: string[] = [];
  #scheduled: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
    private readonly group: string,
    private readonly logger: BusLogger,
  ) {}

  ack(id: string): Promise<void> {
    this.#pending.push(id);
    this.#scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush());
    return this.#scheduled;
  }

  /** Waits for every queued ack to be sent. */
  async flush(): Promise<void> {
    while (this.#scheduled) await this.#scheduled;
  }

  async #flush(): Promise<void> {
    const ids = this.#pending;
    this.#pending = [];
    this.#scheduled = null;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.redis.xack(this.stream, this.group, ...ids);
        return;
      } catch (err) {
        // Unacked entries are redelivered, so giving up loses nothing but time.
        if (attempt >= 4) {
          this.logger.warn({ err, stream: this.stream, group: this.group, count: ids.length }, 'XACK failed; entries will be redelivered');
          return;
        }
        await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 2_000 }));
      }
    }
  }
}
