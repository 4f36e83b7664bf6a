/** Where a periodic task gets its waits: the real timers, or a test's fake. */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout, unref'd: a periodic task never keeps a process alive on its own. */
const realTimer: Timer = {
  set(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PeriodicOptions {
  intervalMs: number;
  /** One round. It may say when the next is due: ms from now (0: at once); by default after intervalMs. */
  run(): Promise<number | undefined | void>;
  /** A round that threw: the next one still comes, after intervalMs. */
  onError(err: unknown): void;
  timer?: Timer;
  /**
   * 'after-end' (default): the next round comes intervalMs after the last one ended.
   * 'fixed-rate': a tick every intervalMs whatever the rounds take; a tick during a round
   * runs another right after it (a busy task then runs back to back, as a work loop should).
   */
  pace?: 'after-end' | 'fixed-rate';
}

export interface Periodic {
  /** The first round runs at once. */
  start(): void;
  /** Run a round now instead of waiting; during a round, run another right after it. */
  wake(): void;
  /** No more rounds; resolves once the running one (if any) has ended. Safe to call again. */
  stop(): Promise<void>;
}

/**
 * "Every N ms, never overlapping, stoppable": the one idiom for the services' periodic
 * work. Each round starts after the previous one ended, so a slow round delays the next
 * rather than piling up behind it.
 */
export function every(opts: PeriodicOptions): Periodic {
  const timer = opts.timer ?? realTimer;
  let handle: unknown = null;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  const fixedRate = opts.pace === 'fixed-rate';
  let tickHandle: unknown = null;

  const schedule = (ms: number | undefined) => {
    if (stopped) return;
    // At a fixed rate the ticks bring the next round; only an explicit delay is scheduled here.
    if (fixedRate && ms === undefined) return;
    handle = timer.set(round, ms ?? opts.intervalMs);
  };
  const tick = () => {
    if (stopped) return;
    tickHandle = timer.set(tick, opts.intervalMs);
    wake();
  };
  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    if (handle !== null) timer.clear(handle);
    round();
  };
  const round = () => {
    handle = null;
    if (stopped) return;
    again = false;
    running = (async () => {
      let next: number | undefined;
      try {
        next = (await opts.run()) ?? undefined;
      } catch (err) {
        opts.onError(err);
      }
      running = null;
      schedule(again ? 0 : next);
    })();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      if (fixedRate) tickHandle = timer.set(tick, opts.intervalMs);
      schedule(0);
    },
    wake,
    async stop() {
      stopped = true;
      if (handle !== null) timer.clear(handle);
      if (tickHandle !== null) timer.clear(tickHandle);
      handle = null;
      tickHandle = null;
      await running;
    },
  };
}
