/** Where a periodic task gets its waits: the real timers, or a test's fake. */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout, unref'd: a periodic task never keeps a process alive on its own. */
export const realTimer: Timer = {
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

  const schedule = (ms: number) => {
    if (stopped) return;
    handle = timer.set(round, ms);
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
      schedule(again ? 0 : (next ?? opts.intervalMs));
    })();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    wake() {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      if (handle !== null) timer.clear(handle);
      round();
    },
    async stop() {
      stopped = true;
      if (handle !== null) timer.clear(handle);
      handle = null;
      await running;
    },
  };
}
