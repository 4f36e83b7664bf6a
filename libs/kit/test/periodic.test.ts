import { describe, expect, it } from 'vitest';
import { every, type Timer } from '../src/periodic.js';

/** A timer driven by the test: nothing runs until `fire()`. */
function manualTimer() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timer: Timer = {
    set(fn, ms) {
      pending.set(next, { fn, ms });
      return next++;
    },
    clear: (h) => void pending.delete(h as number),
  };
  return {
    timer,
    delays: () => [...pending.values()].map((p) => p.ms),
    /** Fires the wait due first (the shortest; the earliest set among equals). */
    fire() {
      const [id, p] = [...pending.entries()].reduce((a, b) => (b[1].ms < a[1].ms ? b : a));
      pending.delete(id);
      p.fn();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('every', () => {
  it('when started, then rounds run one after another, each scheduled intervalMs after the last ended', async () => {
    const t = manualTimer();
    let rounds = 0;
    const p = every({ intervalMs: 100, run: async () => void rounds++, onError: () => {}, timer: t.timer });
    p.start();
    expect(t.delays()).toEqual([0]);
    t.fire();
    await tick();
    expect(rounds).toBe(1);
    expect(t.delays()).toEqual([100]);
    await p.stop();
    expect(t.delays()).toEqual([]);
  });

  it('when woken during a round, then the next round follows at once and never overlaps the running one', async () => {
    const t = manualTimer();
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const p = every({
      intervalMs: 100,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => (release = r));
        active--;
      },
      onError: () => {},
      timer: t.timer,
    });
    p.start();
    t.fire();
    p.wake();
    p.wake();
    release();
    await tick();
    expect(t.delays()).toEqual([0]);
    expect(maxActive).toBe(1);
    await p.stop();
  });

  it('when a round throws, then the error is reported and the next round still comes; a round can ask for its next delay', async () => {
    const t = manualTimer();
    const errors: unknown[] = [];
    let n = 0;
    const p = every({
      intervalMs: 100,
      run: async () => {
        if (++n === 1) throw new Error('boom');
        return 7;
      },
      onError: (e) => errors.push(e),
      timer: t.timer,
    });
    p.start();
    t.fire();
    await tick();
    expect(errors).toHaveLength(1);
    expect(t.delays()).toEqual([100]);
    t.fire();
    await tick();
    expect(t.delays()).toEqual([7]);
    await p.stop();
  });

  it('when stopped during a round, then stop waits for it and nothing is scheduled after', async () => {
    const t = manualTimer();
    let release!: () => void;
    let ended = false;
    const p = every({
      intervalMs: 100,
      run: async () => {
        await new Promise<void>((r) => (release = r));
        ended = true;
      },
      onError: () => {},
      timer: t.timer,
    });
    p.start();
    t.fire();
    const stopping = p.stop();
    release();
    await stopping;
    expect(ended).toBe(true);
    expect(t.delays()).toEqual([]);
  });
});

describe('every, at a fixed rate', () => {
  it('when a tick comes during a long round, then the next round follows it at once; idle, it waits for the tick', async () => {
    const t = manualTimer();
    let release!: () => void;
    let rounds = 0;
    const p = every({
      intervalMs: 100,
      pace: 'fixed-rate',
      run: async () => {
        rounds++;
        await new Promise<void>((r) => (release = r));
      },
      onError: () => {},
      timer: t.timer,
    });
    p.start();
    expect(t.delays().sort()).toEqual([0, 100]); // the first round now, the ticker
    t.fire(); // round 1 starts
    t.fire(); // the tick comes while it runs
    release();
    await tick();
    expect(t.delays().sort()).toEqual([0, 100]); // the next round at once, and the ticker
    t.fire();
    expect(rounds).toBe(2);
    release();
    await tick();
    expect(t.delays()).toEqual([100]); // only the ticker: nothing else is scheduled
    await p.stop();
    expect(t.delays()).toEqual([]);
  });
});
