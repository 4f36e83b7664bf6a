import { setMaxListeners } from 'node:events';

/** Deadlines that fall within one slot of this width share a signal (and its one timer). */
const SLOT_MS = 100;

/**
 * Abort signals for call deadlines, shared: thousands of calls a second would otherwise
 * each start a timer of their own (AbortSignal.timeout), kept alive until a full garbage
 * collection finds its signal dead. A deadline is rounded down to its slot, so a call is
 * given up at most SLOT_MS early, never late.
 */
export class DeadlineSignals {
  readonly #slots = new Map<number, { controller: AbortController; timer: NodeJS.Timeout }>();

  /** A signal that aborts (as a TimeoutError) by the instant `at`, `now` being the caller's clock. */
  signal(at: number, now: number): AbortSignal {
    const slot = Math.floor(at / SLOT_MS);
    let s = this.#slots.get(slot);
    if (!s) {
      const controller = new AbortController();
      // Every call of the slot listens on it while it runs: as many as the calls in flight.
      setMaxListeners(0, controller.signal);
      const timer = setTimeout(
        () => {
          this.#slots.delete(slot);
          controller.abort(new DOMException('the call outlived its deadline', 'TimeoutError'));
        },
        Math.max(0, slot * SLOT_MS - now),
      );
      timer.unref();
      s = { controller, timer };
      this.#slots.set(slot, s);
    }
    return s.controller.signal;
  }

  /** Drops the pending timers (once no call is left to bound). */
  clear(): void {
    for (const { timer } of this.#slots.values()) clearTimeout(timer);
    this.#slots.clear();
  }
}
