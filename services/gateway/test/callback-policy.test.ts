import { describe, expect, it } from 'vitest';
import { decide, retryDelayMs } from '../src/callbacks/callback-policy.js';
import { signCallback, verifyCallback } from '../src/callbacks/callback-signature.js';
import { createCallbackWorker } from '../src/callbacks/callback-worker.js';

const policy = { maxAttempts: 4, firstRetryMs: 10_000 };
const now = new Date('2026-01-01T00:00:00Z');
const mid = () => 0.5; // no jitter

describe('callback retry policy', () => {
  it('when an attempt gets a 2xx, then it is delivered; a 4xx or a redirect is given up at once', () => {
    expect(decide({ status: 204 }, 1, policy, now, mid)).toEqual({ kind: 'delivered', status: 204 });
    expect(decide({ status: 410 }, 1, policy, now, mid)).toMatchObject({
      kind: 'failed',
      status: 410,
      error: 'answered 410: not retried',
    });
    expect(decide({ status: 302 }, 1, policy, now, mid)).toMatchObject({ kind: 'failed', status: 302 });
  });

  it('when an attempt gets a 5xx, 408, 429 or a network error, then it is retried later, three times longer each time, until the last attempt', () => {
    for (const status of [500, 503, 408, 425, 429]) expect(decide({ status }, 1, policy, now, mid).kind).toBe('retry');
    expect(decide({ error: 'ECONNREFUSED: connect', retryable: true }, 2, policy, now, mid)).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 30_000),
      status: null,
      error: 'ECONNREFUSED: connect',
    });
    expect(decide({ status: 503 }, 4, policy, now, mid)).toMatchObject({
      kind: 'failed',
      error: 'answered 503 on the last of 4 attempts',
    });
    expect(
      decide(
        { error: 'refused: must not point at a private or loopback address', retryable: false },
        1,
        policy,
        now,
        mid,
      ),
    ).toMatchObject({ kind: 'failed' });
  });

  it('when delays are drawn, then they grow ×3 from the first, stay within ±20 % and never pass an hour', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(policy, n, mid))).toEqual([10_000, 30_000, 90_000]);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(8_000);
    expect(retryDelayMs(policy, 1, () => 1)).toBe(12_000);
    expect(retryDelayMs(policy, 20, mid)).toBe(3_600_000);
  });
});

describe('callback signature', () => {
  it('when a body is signed, then the receiver verifies it; a changed body, another secret or an old timestamp fail', () => {
    const body = '{"event":"job.completed"}';
    const header = signCallback('s3cret-s3cret-s3cret', body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyCallback('s3cret-s3cret-s3cret', body, header, 1_700_000_100)).toBe(true);
    expect(verifyCallback('s3cret-s3cret-s3cret', `${body} `, header, 1_700_000_100)).toBe(false);
    expect(verifyCallback('another-secret-value', body, header, 1_700_000_100)).toBe(false);
    expect(verifyCallback('s3cret-s3cret-s3cret', body, header, 1_700_000_400)).toBe(false);
    expect(verifyCallback('s3cret-s3cret-s3cret', body, 't=abc,v1=00', 1_700_000_000)).toBe(false);
  });
});

describe('callback worker', () => {
  it('when its store fails, then each lane waits 5 s before trying again instead of spinning and warning every idle period', async () => {
    let claims = 0;
    const warnings: string[] = [];
    const worker = createCallbackWorker({
      store: {
        claim: async () => {
          claims++;
          throw new Error('connection refused');
        },
        settle: async () => {},
      },
      send: async () => ({ status: 200 }),
      policy,
      owner: 'w',
      concurrency: 2,
      leaseMs: 1_000,
      idleMs: 10,
      clock: () => new Date(),
      logger: { info: () => {}, warn: (_o, m) => void warnings.push(m) },
    });
    worker.start();
    await new Promise((r) => setTimeout(r, 300));
    await worker.stop();
    expect(claims).toBe(2); // one per lane; with idleMs alone it would be ~60
    expect(warnings).toEqual(Array(2).fill('callback worker could not claim or settle; retrying in 5 s'));
  });
});
