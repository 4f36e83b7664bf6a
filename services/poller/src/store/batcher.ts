/**
 * Gathers single-document writes made at about the same moment into one round trip, and
 * gives each caller its own answer (LingerBatch of @pixsim/bus answers the batch as a
 * whole). A batch goes out `lingerMs` after its first item, or at once when it is full;
 * a failed round trip fails every item of it.
 */
export class Batcher<I, R> {
  #items: Array<{ item: I; resolve: (r: R) => void; reject: (err: unknown) => void }> = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #sending = new Set<Promise<void>>();

  constructor(
    private readonly run: (items: I[]) => Promise<R[]>,
    private readonly opts: { lingerMs: number; maxBatch: number },
  ) {}

  add(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#items.push({ item, resolve, reject });
      if (this.#items.length >= this.opts.maxBatch) this.#send();
      else this.#timer ??= setTimeout(() => this.#send(), this.opts.lingerMs);
    });
  }

  /** Sends what is waiting and waits for every batch under way. */
  async flush(): Promise<void> {
    this.#send();
    while (this.#sending.size > 0) await Promise.all([...this.#sending]);
  }

  #send(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batch = this.#items;
    if (batch.length === 0) return;
    this.#items = [];
    const sending = this.run(batch.map((b) => b.item)).then(
      (results) => {
        for (const [i, b] of batch.entries()) b.resolve(results[i]!);
      },
      (err: unknown) => {
        for (const b of batch) b.reject(err);
      },
    );
    this.#sending.add(sending);
    void sending.finally(() => this.#sending.delete(sending));
  }
}
