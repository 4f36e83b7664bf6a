/** How long the first item of a batch waits for others, and how many one batch carries. */
export interface LingerBatchOptions {
  lingerMs?: number;
  maxBatch?: number;
}

/**
 * Coalesces items added within `lingerMs` of the first (or until `maxBatch` are
 * waiting) into one call of `send`. On a busy host a round trip costs more than the
 * command, so acks and other small writes that need not go out alone share one.
 * Each `add` settles with its batch's `send`: resolved when it resolves, rejected
 * with its error.
 */
export class LingerBatch<T> {
  #items: T[] = [];
  #scheduled: Promise<void> | null = null;
  /** Batches being sent now: flush waits for them too, not only for the one still gathering. */
  readonly #sending = new Set<Promise<void>>();
  #sendNow: (() => void) | null = null;
  readonly #lingerMs: number;
  readonly #maxBatch: number;

  constructor(
    private readonly send: (items: T[]) => Promise<void>,
    opts: LingerBatchOptions = {},
  ) {
    this.#lingerMs = opts.lingerMs ?? 5;
    this.#maxBatch = opts.maxBatch ?? 200;
  }

  add(item: T): Promise<void> {
    this.#items.push(item);
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
    if (this.#items.length >= this.#maxBatch) this.#sendNow?.();
    return scheduled;
  }

  /** Sends what is waiting now and waits until every batch is sent (errors stay with their callers). */
  async flush(): Promise<void> {
    while (this.#scheduled || this.#sending.size > 0) {
      this.#sendNow?.();
      await Promise.all([this.#scheduled, ...this.#sending].map((p) => p?.catch(() => {})));
    }
  }

  async #flush(): Promise<void> {
    const items = this.#items;
    this.#items = [];
    this.#scheduled = null;
    this.#sendNow = null;
    const sending = this.send(items);
    this.#sending.add(sending);
    try {
      await sending;
    } finally {
      this.#sending.delete(sending);
    }
  }
}
