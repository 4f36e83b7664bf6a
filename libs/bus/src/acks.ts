import type { BusLogger, RedisClient } from './types.js';
import { backoffDelay, sleep } from './backoff.js';

/** How long a handled entry may wait for others to share its XACK, and how many one XACK carries. */
export interface AckBatchOptions {
  lingerMs?: number;
  maxBatch?: number;
}

/**
 * Acknowledges handled entries in batches: ids acked within `lingerMs` of the
 * first (or until `maxBatch` are waiting) go out as one XACK. On a busy host a
 * round trip costs more than the command, and the ack is off the critical path:
 * the handler's slot is free before it. An ack is only queued after its handler
 * succeeded; if the process dies before the flush, the entry is redelivered and
 * the idempotent handler runs again.
 */
export class AckBatcher {
  #pending: string[] = [];
  #scheduled: Promise<void> | null = null;
  #sendNow: (() => void) | null = null;
  readonly #lingerMs: number;
  readonly #maxBatch: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
    private readonly group: string,
    private readonly logger: BusLogger,
    opts: AckBatchOptions = {},
  ) {
    this.#lingerMs = opts.lingerMs ?? 5;
    this.#maxBatch = opts.maxBatch ?? 200;
  }

  ack(id: string): Promise<void> {
    this.#pending.push(id);
    if (!this.#scheduled) {
      this.#scheduled = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#lingerMs);
        this.#sendNow = () => {
          clearTimeout(timer);
          resolve();
        };
      }).then(() => this.#flush());
    }
    const scheduled = this.#scheduled;
    if (this.#pending.length >= this.#maxBatch) this.#sendNow?.();
    return scheduled;
  }

  /** Sends every queued ack now and waits until they are sent. */
  async flush(): Promise<void> {
    while (this.#scheduled) {
      this.#sendNow?.();
      await this.#scheduled;
    }
  }

  async #flush(): Promise<void> {
    const ids = this.#pending;
    this.#pending = [];
    this.#scheduled = null;
    this.#sendNow = null;
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
