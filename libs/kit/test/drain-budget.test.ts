import { describe, expect, it } from 'vitest';
import { drainBudgetMs, graceSeconds } from '../src/shutdown.js';

describe('drain budget', () => {
  it('when a unit of work makes calls one after another with backoff, then the drain covers all of them plus the margin to ack', () => {
    expect(drainBudgetMs({ longestCallMs: 30_000 })).toBe(40_000);
    expect(drainBudgetMs({ longestCallMs: 30_000, sequentialCalls: 3, backoffMs: 6_000, marginMs: 5_000 })).toBe(
      101_000,
    );
  });

  it('when Kubernetes is told how long to wait, then the grace period is the drain, the preStop pause and a few seconds, rounded up', () => {
    expect(graceSeconds(45_000)).toBe(50);
    expect(graceSeconds(20_500, 5)).toBe(31);
  });
});
