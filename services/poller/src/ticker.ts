/**
 * Runs `round` again and again, one at a time: after `idleMs` when it did less than a full
 * batch, at once when it did a full one (more work is waiting). `wake()` starts the next
 * round now instead of waiting; `stop()` resolves once the running round has ended.
 */
export interface Ticker {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createTicker(round: () => Promise<number>, opts: { idleMs: number; batch: number }): Ticker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  const schedule = (ms: number) => {
    if (!stopped && !running) timer = setTimeout(run, ms);
  };
  const run = () => {
    timer = null;
    running = round().then((done) => {
      running = null;
      schedule(done >= opts.batch ? 0 : opts.idleMs);
    });
  };

  return {
    start: () => schedule(0),
    wake() {
      if (!timer) return; // a round is running: it will pick the work up
      clearTimeout(timer);
      run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
