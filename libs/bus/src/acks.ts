import type { LogPort } from '@pixsim/contracts';
import type { RedisClient } from './types.js';
import { backoffDelay, sleep } from './backoff.js';
import { LingerBatch, type LingerBatchOptions } from './linger-batch.js';

export type AckBatchOptions = LingerBatchOptions;

/**
 * Acknowledges handled entries in batches: ids acked within `lingerMs` of the
 * first (or until `maxBatch` are waiting) go out as one XACK. On a busy host a
 * round trip costs more than the command, and the ack is off the critical path:
 * the handler's slot is free before it. An ack is only queued after its handler
 * succeeded; if the process dies before the flush, the entry is redelivered and
 * the idempotent handler runs again.
 */
export class AckBatcher {
  readonly #batch: LingerBatch<string>;

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
    private readonly group: string,
    private readonly logger: LogPort,
    opts: AckBatchOptions = {},
  ) {
    this.#batch = new LingerBatch((ids) => this.#send(ids), opts);
  }

  ack(id: string): Promise<void> {
    return this.#batch.add(id);
  }

  /** Sends every queued ack now and waits until they are sent. */
  flush(): Promise<void> {
    return this.#batch.flush();
  }

  /** Never throws: unacked entries are redelivered, so giving up loses nothing but time. */
  async #send(ids: string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.redis.xack(this.stream, this.group, ...ids);
        return;
      } catch (err) {
        if (attempt >= 4) {
          this.logger.warn(
            { err, stream: this.stream, group: this.group, count: ids.length },
            'XACK failed; entries will be redelivered',
          );
          return;
        }
        await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 2_000 }));
      }
    }
  }
}
