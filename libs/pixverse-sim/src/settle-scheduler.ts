import type { GenerationStore } from './generations.js';

/** Batches wake-ups: due times closer together than this are settled in one pass. */
const MIN_TICK_MS = 5;

/**
 * One timer for all generations: armed at the earliest due event so terminal statuses
 * (and their webhooks) happen on time even when nobody polls. Without webhooks it is
 * not needed (every call settles first), so it stays disarmed.
 */
export class SettleScheduler {
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;
  private stopped = false;

  constructor(
    private readonly store: GenerationStore,
    private readonly now: () => number,
    private readonly enabled: boolean,
  ) {}

  settle(): void {
    this.store.settle(this.now());
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (!this.enabled || this.stopped) return;
    const next = this.store.nextDueAt();
    if (next === undefined || !Number.isFinite(next) || next >= this.armedAt) return;
    this.disarm();
    this.armedAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.armedAt = Infinity;
        this.settle();
      },
      Math.max(MIN_TICK_MS, next - this.now()),
    );
    this.timer.unref();
  }
}
