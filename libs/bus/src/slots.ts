/**
 * A counting semaphore for the handler concurrency cap. The read loop asks
 * how many slots are free before each read, so it never fetches more entries
 * than it can start at once.
 */
export class Slots {
  #used = 0;
  #waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${capacity}`);
  }

  get used(): number {
    return this.#used;
  }

  get free(): number {
    return this.capacity - this.#used;
  }

  acquire(): void {
    if (this.#used >= this.capacity) throw new Error('no free slot: call waitForFree() first');
    this.#used++;
  }

  release(): void {
    this.#used--;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits for a free slot and takes it (check and take in one step, so waiters never over-take). */
  async take(): Promise<void> {
    while (this.#used >= this.capacity) await new Promise<void>((r) => this.#waiters.push(r));
    this.#used++;
  }

  /** Resolves once at least one slot is free. */
  async waitForFree(): Promise<void> {
    while (this.#used >= this.capacity) await new Promise<void>((r) => this.#waiters.push(r));
  }

  /** Resolves once no slot is in use. */
  async drain(): Promise<void> {
    while (this.#used > 0) await new Promise<void>((r) => this.#waiters.push(r));
  }
}
