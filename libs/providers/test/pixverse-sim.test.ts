import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keyId, startSimulator } from '@pixsim/pixverse-sim';
import type { Simulator } from '@pixsim/pixverse-sim';
import { createPixverseProvider } from '../src/index.js';
import type { BreakerState, GenerationStatus, PixverseProviderOptions, VideoProvider } from '../src/index.js';
import { caught, PIXVERSE_CODE_KINDS } from './expected.js';

const KEY = 'sk-main-0001';
const creds = { apiKey: KEY };
let sim: Simulator;
let provider: VideoProvider;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, latencyMs: 100, seed: 7 });
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.reset({ accounts: true });
  sim.setFaults({
    outage: false,
    dropRate: 0,
    timeoutRate: 0,
    http5xxRate: 0,
    rateLimitRate: 0,
    highLoadRate: 0,
    slowMs: 0,
  });
  sim.configure({ latencyMs: 100 });
  sim.addAccount({ apiKey: KEY, credits: 10_000, maxConcurrent: 50 });
});
afterEach(async () => {
  await provider?.close();
});

function makeProvider(opts: Partial<PixverseProviderOptions> = {}): VideoProvider {
  provider = createPixverseProvider({ baseUrl: sim.url, timeouts: { connectMs: 1_000, requestMs: 2_000 }, ...opts });
  return provider;
}

const text = (prompt: string, extra: Record<string, unknown> = {}) => ({
  jobId: `job-${Math.random().toString(36).slice(2)}`,
  operationType: 'text_to_video' as const,
  params: { prompt, ...extra },
});

async function pollUntilDone(p: VideoProvider, id: string, timeoutMs = 5_000): Promise<GenerationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await p.status(creds, id);
    if (s.state !== 'pending' || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 30));
  }
}

const breakerOf = (p: VideoProvider, name: string) => p.breakers().find((b) => b.name === name);

describe('pixverse adapter against the simulator', () => {
  it('when a text_to_video is submitted, then status goes pending then completed with a url', async () => {
    const p = makeProvider();
    const { providerJobId, cost } = await p.submit(
      creds,
      text('a fox in the snow [sim:delay=600]', { quality: '720p' }),
    );
    expect(cost).toBe(60);
    expect(sim.stats().credits[keyId(KEY)]).toBe(10_000 - 60);
    expect((await p.status(creds, providerJobId)).state).toBe('pending');
    const done = await pollUntilDone(p, providerJobId);
    expect(done.state).toBe('completed');
    expect(done.result?.url).toMatch(/\.mp4$/);
    expect(done.result?.width).toBe(1280);
    expect(done.result?.height).toBe(720);
    expect(done.result?.file_size_bytes).toBeGreaterThan(0);
  });

  it('when an image_to_video is submitted, then the image is uploaded first and the generation completes', async () => {
    const p = makeProvider();
    const { providerJobId } = await p.submit(creds, {
      jobId: 'j-img',
      operationType: 'image_to_video',
      params: { prompt: 'make it move', image_url: 'https://img.example/cat.png' },
    });
    const calls = sim.stats().calls;
    expect(calls.image_upload).toBe(1);
    expect(calls.img_generate).toBe(1);
    expect((await pollUntilDone(p, providerJobId)).state).toBe('completed');
  });

  it('when the uploaded image is refused (HTTP 500, lower-case 500052), then submit fails with moderation', async () => {
    const p = makeProvider();
    const err = await caught(
      p.submit(creds, {
        jobId: 'j',
        operationType: 'image_to_video',
        params: { prompt: 'p', image_url: 'https://img.example/sim-moderate.png' },
      }),
    );
    expect(err.kind).toBe('moderation');
    expect(err.providerCode).toBe(500052);
    expect(err.httpStatus).toBe(500);
    expect(sim.stats().calls.img_generate).toBeUndefined();
    expect(breakerOf(p, 'upload')?.stats.failures).toBe(0);
  });

  it.each([
    ['[sim:fail]', 'failed'],
    ['[sim:moderate]', 'moderated'],
    ['[sim:deleted]', 'deleted'],
  ] as const)('when the prompt says %s, then the final state is %s', async (directive, state) => {
    const p = makeProvider();
    const { providerJobId } = await p.submit(creds, text(`a dog ${directive}`));
    const done = await pollUntilDone(p, providerJobId);
    expect(done.state).toBe(state);
    expect(done.result).toBeUndefined();
  });

  it.each(PIXVERSE_CODE_KINDS)(
    'when the simulator answers ErrCode %i at submit, then the kind is %s',
    async (code, kind) => {
      const p = makeProvider();
      const err = await caught(p.submit(creds, text(`x [sim:error=${code}]`)));
      expect(err.kind).toBe(kind);
      expect(err.providerCode).toBe(code);
      expect(err.message).not.toContain(KEY);
    },
  );

  it('when the prompt says [sim:reject], then submit fails with moderation and no retry', async () => {
    const p = makeProvider();
    const err = await caught(p.submit(creds, text('x [sim:reject]')));
    expect(err.kind).toBe('moderation');
    expect(err.retryable).toBe(false);
  });

  it('when the API key is unknown, then the error is account_invalid and switches account', async () => {
    const p = makeProvider();
    const err = await caught(p.submit({ apiKey: 'sk-nobody' }, text('hello')));
    expect(err.kind).toBe('account_invalid');
    expect(err.disposition).toBe('switch_account');
    expect(err.code).toBe('ACCOUNT_INVALID');
    expect(err.message).not.toContain('sk-nobody');
  });

  it('when the account has too few credits, then the error is insufficient_credits', async () => {
    sim.addAccount({ apiKey: 'sk-poor', credits: 10, maxConcurrent: 5 });
    const p = makeProvider();
    const err = await caught(p.submit({ apiKey: 'sk-poor' }, text('hello')));
    expect(err.kind).toBe('insufficient_credits');
    expect(err.code).toBe('ACCOUNT_EXHAUSTED');
  });

  it('when the account is at its concurrency limit, then the error is concurrency_limit', async () => {
    sim.addAccount({ apiKey: 'sk-one', credits: 1_000, maxConcurrent: 1 });
    const p = makeProvider();
    await p.submit({ apiKey: 'sk-one' }, text('first [sim:delay=5000]'));
    const err = await caught(p.submit({ apiKey: 'sk-one' }, text('second')));
    expect(err.kind).toBe('concurrency_limit');
    expect(err.code).toBe('PROVIDER_RATE_LIMITED');
  });

  it('when the balance is asked, then credits come from the simulator', async () => {
    const p = makeProvider();
    expect(await p.balance(creds)).toEqual({ credits: 10_000 });
  });

  it('when the provider is in an outage, then the breaker opens, fails fast without calling, and closes after recovery', async () => {
    const p = makeProvider({
      breaker: { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 300, rollingCountTimeoutMs: 10_000 },
    });
    const changes: Array<[string, BreakerState]> = [];
    p.onBreakerChange((name, state) => changes.push([name, state]));
    sim.setFaults({ outage: true });
    for (let i = 0; i < 3; i++) {
      const err = await caught(p.balance(creds));
      expect(err.kind).toBe('unavailable');
      expect(err.httpStatus).toBe(503);
    }
    expect(breakerOf(p, 'balance')?.state).toBe('open');
    expect(changes).toEqual([['balance', 'open']]);
    const callsWhenOpened = sim.stats().calls.balance;
    expect(callsWhenOpened).toBe(3);
    for (let i = 0; i < 5; i++) {
      const err = await caught(p.balance(creds));
      expect(err.kind).toBe('circuit_open');
      expect(err.retryable).toBe(true);
    }
    expect(sim.stats().calls.balance).toBe(callsWhenOpened);
    expect(breakerOf(p, 'balance')?.stats.rejects).toBe(5);
    // Other endpoints have their own breaker.
    expect(breakerOf(p, 'submit')?.state).toBe('closed');

    sim.setFaults({ outage: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(breakerOf(p, 'balance')?.state).toBe('half_open');
    expect(await p.balance(creds)).toEqual({ credits: 10_000 });
    expect(breakerOf(p, 'balance')?.state).toBe('closed');
    expect(changes).toEqual([
      ['balance', 'open'],
      ['balance', 'half_open'],
      ['balance', 'closed'],
    ]);
  });

  it('when the half-open probe fails, then the breaker opens again', async () => {
    const p = makeProvider({ breaker: { volumeThreshold: 1, resetTimeoutMs: 200 } });
    sim.setFaults({ outage: true });
    await caught(p.status(creds, '1'));
    expect(breakerOf(p, 'status')?.state).toBe('open');
    await new Promise((r) => setTimeout(r, 300));
    expect(breakerOf(p, 'status')?.state).toBe('half_open');
    expect((await caught(p.status(creds, '1'))).kind).toBe('unavailable');
    expect(breakerOf(p, 'status')?.state).toBe('open');
  });

  it('when only business errors happen, then no breaker ever opens', async () => {
    sim.addAccount({ apiKey: 'sk-poor', credits: 1, maxConcurrent: 5 });
    const p = makeProvider({ breaker: { volumeThreshold: 2, errorThresholdPercentage: 10 } });
    const changes: string[] = [];
    p.onBreakerChange((name, state) => changes.push(`${name}:${state}`));
    for (const code of [500063, 500054, 400017, 500044, 500090, 400012, 500020]) {
      await caught(p.submit(creds, text(`x [sim:error=${code}]`)));
    }
    await caught(p.submit({ apiKey: 'sk-nobody' }, text('bad key')));
    await caught(p.submit({ apiKey: 'sk-poor' }, text('poor')));
    await caught(p.balance({ apiKey: 'sk-nobody' }));
    expect(changes).toEqual([]);
    for (const b of p.breakers()) {
      expect(b.state).toBe('closed');
      expect(b.stats.failures).toBe(0);
    }
  });

  it('when the simulator answers 500069 high load repeatedly, then it counts towards the breaker', async () => {
    const p = makeProvider({ breaker: { volumeThreshold: 2, resetTimeoutMs: 10_000 } });
    sim.setFaults({ highLoadRate: 1 });
    for (let i = 0; i < 2; i++) expect((await caught(p.submit(creds, text('p')))).kind).toBe('unavailable');
    expect(breakerOf(p, 'submit')?.state).toBe('open');
    expect((await caught(p.submit(creds, text('p')))).kind).toBe('circuit_open');
  });

  it('when the simulator holds the request past the client timeout, then the error is timeout', async () => {
    const p = makeProvider({ timeouts: { connectMs: 1_000, requestMs: 200 } });
    sim.setFaults({ timeoutRate: 1, timeoutMs: 3_000 });
    const started = Date.now();
    const err = await caught(p.submit(creds, text('slow')));
    expect(err.kind).toBe('timeout');
    expect(err.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(breakerOf(p, 'submit')?.stats.failures).toBe(1);
    expect(sim.stats().total_submissions).toBe(0);
  });

  it('when the simulator drops the connection, then the error is unavailable', async () => {
    const p = makeProvider();
    sim.setFaults({ dropRate: 1 });
    const err = await caught(p.status(creds, '1'));
    expect(err.kind).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(sim.stats().faults_injected.drop).toBeGreaterThanOrEqual(1);
  });

  it('when the simulator answers 502/503 pages, then the error is unavailable', async () => {
    const p = makeProvider();
    sim.setFaults({ http5xxRate: 1 });
    const err = await caught(p.balance(creds));
    expect(err.kind).toBe('unavailable');
    expect([502, 503]).toContain(err.httpStatus);
  });

  it('when the simulator answers 429 with Retry-After, then the error is rate_limited with retryAfterMs and no breaker failure', async () => {
    const p = makeProvider();
    sim.setFaults({ rateLimitRate: 1, retryAfterS: 2 });
    const err = await caught(p.submit(creds, text('p')));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(2_000);
    expect(breakerOf(p, 'submit')?.stats.failures).toBe(0);
  });

  it('when many generations are submitted, then no Ai-trace-id is reused', async () => {
    const p = makeProvider();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => p.submit(creds, text(`parallel ${i}`))));
    await Promise.all(ids.map((r) => p.status(creds, r.providerJobId)));
    const stats = sim.stats();
    expect(stats.total_submissions).toBe(20);
    expect(stats.reused_trace_ids).toBe(0);
    expect(stats.duplicates).toBe(0);
  });
});
