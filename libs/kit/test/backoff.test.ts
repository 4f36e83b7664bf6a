import { describe, it, expect } from 'vitest';
import { backoffDelay, sleep } from '../src/index.js';

describe('backoffDelay', () => {
  it('when attempts grow, then the window doubles up to the cap, with jitter in its upper half', () => {
    const opts = { initialMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, opts, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, opts, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('sleep', () => {
  it('when the signal aborts, then sleep rejects early with the reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    await expect(sleep(5_000, controller.signal)).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
