import { describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@pixsim/providers';
import { createPollLoop, type PollLoopSettings } from '../src/poll-loop.js';
import { FakeProvider, generation, manualClock, MemoryPollStore, RecordingMetrics, recordingPublish } from './fakes.js';

const SETTINGS: PollLoopSettings = {
  tickMs: 5,
  batch: 20,
  concurrency: 3,
  leaseMs: 30_000,
  pollIntervalMs: 10_000,
  jobTimeoutMs: 3_600_000,
};
const RESULT = {
  url: 'https://media.example/v.mp4',
  width: 1280,
  height: 720,
  duration_sec: null,
  file_size_bytes: 1234,
};

function setup(settings: Partial<PollLoopSettings> = {}) {
  const time = manualClock();
  const store = new MemoryPollStore();
  const provider = new FakeProvider();
  const { published, publish } = recordingPublish();
  const metrics = new RecordingMetrics();
  const warnings: object[] = [];
  let publishFails = false;
  const loop = createPollLoop({
    store,
    provider,
    clock: time.clock,
    metrics,
    owner: 'replica-a',
    random: () => 1,
    publish: async (input) => {
      if (publishFails) throw new Error('redis is down');
      return publish(input);
    },
    openCredential: (gen) => `key-of-${gen.credential.kid}`,
    settings: { ...SETTINGS, ...settings },
    logger: { warn: (obj) => void warnings.push(obj), error: (obj) => void warnings.push(obj) },
  });
  const add = (jobId: string, over = {}) => store.add(generation(jobId, time.clock(), over));
  return {
    time,
    store,
    provider,
    published,
    metrics,
    warnings,
    loop,
    add,
    failPublish: (v: boolean) => {
      publishFails = v;
    },
  };
}

describe('poll loop', () => {
  it('when the provider says pending, then the generation is due one interval later with its lease released', async () => {
    const t = setup();
    t.add('j1', { failures: 2 });
    expect(await t.loop.tick()).toBe(1);
    const g = t.store.get('j1');
    expect(g).toMatchObject({ status: 'polling', failures: 0, lease_owner: null, lease_until: null });
    expect(g.next_poll_at!.getTime()).toBe(t.time.at() + 10_000);
    expect(t.provider.calls).toEqual([{ apiKey: 'key-of-k1', providerJobId: 'pv-j1' }]);
    expect(t.published).toEqual([]);
    expect(t.metrics.outcomes).toEqual(['pending']);
    expect(await t.loop.tick()).toBe(0); // not due yet
  });

  it('when a generation runs long, then it is polled less often (x2 after 5 min, x3 after 15 min)', async () => {
    const t = setup();
    t.add('j1');
    t.time.advance(6 * 60_000);
    await t.loop.tick();
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t.time.at() + 20_000);
    t.time.advance(10 * 60_000);
    await t.loop.tick();
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t.time.at() + 30_000);
  });

  it('when the provider says completed, then JOB_COMPLETED is published and the generation is done', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', { state: 'completed', result: RESULT });
    await t.loop.tick();
    expect(t.published).toHaveLength(1);
    expect(t.published[0]).toMatchObject({
      type: 'JOB_COMPLETED',
      id: 'j1:JOB_COMPLETED',
      data: {
        job_id: 'j1',
        user_id: 'user-1',
        provider_id: 'pixverse',
        provider_job_id: 'pv-j1',
        account_id: 'acct-1',
        // the provider gave no duration: the requested one stands in
        result: { ...RESULT, duration_sec: 5 },
      },
    });
    expect(t.store.get('j1')).toMatchObject({ status: 'done', end_reason: 'completed', next_poll_at: null });
    expect(t.metrics.outcomes).toEqual(['completed']);
  });

  it.each([
    ['failed', 'PROVIDER_FAILED'],
    ['moderated', 'PROVIDER_MODERATION'],
    ['deleted', 'PROVIDER_DELETED'],
  ] as const)(
    'when the provider says %s, then JOB_FAILED %s is published and the generation is done',
    async (state, code) => {
      const t = setup();
      t.add('j1', { attempt: 3 });
      t.provider.script('pv-j1', { state });
      await t.loop.tick();
      expect(t.published).toEqual([
        expect.objectContaining({
          type: 'JOB_FAILED',
          id: 'j1:JOB_FAILED',
          data: expect.objectContaining({
            job_id: 'j1',
            stage: 'poll',
            error_code: code,
            retry_count: 2,
            account_id: 'acct-1',
            provider_job_id: 'pv-j1',
          }),
        }),
      ]);
      expect(t.store.get('j1')).toMatchObject({ status: 'done', end_reason: state });
    },
  );

  it('when a generation is still pending at JOB_TIMEOUT_S, then it fails with TIMEOUT', async () => {
    const t = setup();
    t.add('j1');
    t.time.advance(3_595_000);
    await t.loop.tick();
    // the next poll is pulled in to the deadline itself, not one interval past it
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t.time.at() + 5_000);
    t.time.advance(5_000);
    await t.loop.tick();
    expect(t.published).toEqual([
      expect.objectContaining({
        type: 'JOB_FAILED',
        data: expect.objectContaining({ error_code: 'TIMEOUT', stage: 'poll' }),
      }),
    ]);
    expect(t.store.get('j1')).toMatchObject({ status: 'done', end_reason: 'timeout' });
  });

  it('when the provider call fails, then it is counted, logged and retried with a growing backoff capped at 3 intervals', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', new ProviderError('unavailable', 'HTTP 503'));
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      await t.loop.tick();
      const next = t.store.get('j1').next_poll_at!.getTime();
      delays.push(next - t.time.at());
      t.time.advance(next - t.time.at());
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(t.store.get('j1')).toMatchObject({ status: 'polling', failures: 7, lease_owner: null });
    expect(t.metrics.errors).toEqual(Array(7).fill('unavailable'));
    expect(t.warnings[0]).toMatchObject({ job_id: 'j1', kind: 'unavailable' });
    // a success afterwards resets the count
    t.provider.script('pv-j1', { state: 'pending' });
    await t.loop.tick();
    expect(t.store.get('j1').failures).toBe(0);
  });

  it('when the circuit is open, then the poll is retried one interval later and not counted as a failure', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', new ProviderError('circuit_open', 'breaker open'));
    await t.loop.tick();
    expect(t.store.get('j1')).toMatchObject({ failures: 0, lease_owner: null });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t.time.at() + 10_000);
    expect(t.metrics.errors).toEqual(['circuit_open']);
  });

  it('when polls keep failing until JOB_TIMEOUT_S, then the job fails with TIMEOUT instead of polling forever', async () => {
    const t = setup({ jobTimeoutMs: 60_000 });
    t.add('j1');
    t.provider.script('pv-j1', new Error('socket hang up'));
    for (let i = 0; i < 50 && t.store.get('j1').status === 'polling'; i++) {
      await t.loop.tick();
      const next = t.store.get('j1').next_poll_at;
      if (next) t.time.advance(Math.max(0, next.getTime() - t.time.at()));
    }
    expect(t.store.get('j1')).toMatchObject({ status: 'done', end_reason: 'timeout' });
    expect(t.time.at() - t.store.get('j1').submitted_at.getTime()).toBe(60_000);
    const failed = t.published[0]!;
    expect(failed).toMatchObject({ type: 'JOB_FAILED', data: { error_code: 'TIMEOUT' } });
    expect((failed.data as { error_message: string }).error_message).toContain('socket hang up');
    expect(t.metrics.errors.every((k) => k === 'unexpected')).toBe(true);
  });

  it('when publishing the completion fails, then the end stays taken with its event, and a lease later the same event id is announced', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', { state: 'completed', result: RESULT });
    t.failPublish(true);
    await t.loop.tick();
    expect(t.store.get('j1')).toMatchObject({ status: 'ending', end_reason: 'completed' });
    expect(t.metrics.errors).toEqual(['settle']);
    t.failPublish(false);
    t.time.advance(1_000);
    await t.loop.tick();
    expect(t.published).toEqual([]); // not yet: the poll that took the end may still be announcing it
    t.time.advance(30_000);
    await t.loop.tick();
    expect(t.published.map((p) => p.id)).toEqual(['j1:JOB_COMPLETED']);
    expect(t.store.get('j1').status).toBe('done');
    expect(t.provider.calls).toHaveLength(1); // ended: never polled again
  });

  it('when a cancel takes the generation while its poll is out, then the poll finds it ended and announces nothing', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', { state: 'completed', result: RESULT });
    const status = t.provider.status.bind(t.provider);
    t.provider.status = async (creds, id) => {
      // The cancel handler's conditional update lands while the call is out.
      Object.assign(t.store.get('j1'), { status: 'cancelled' });
      return status(creds, id);
    };
    await t.loop.tick();
    expect(t.published).toEqual([]);
    expect(t.store.get('j1').status).toBe('cancelled');
  });

  it('when many generations are due, then at most POLL_CONCURRENCY calls run at once and at most POLL_BATCH are claimed', async () => {
    const t = setup({ concurrency: 3, batch: 8 });
    for (let i = 0; i < 10; i++) t.add(`j${i}`);
    let running = 0;
    let peak = 0;
    const slow = t.provider.status.bind(t.provider);
    t.provider.status = async (creds, id) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return slow(creds, id);
    };
    expect(await t.loop.tick()).toBe(8);
    expect(peak).toBe(3);
    expect(await t.loop.tick()).toBe(2);
  });

  it('when a generation is poked, then it is due now and the running loop polls it at once', async () => {
    const t = setup({ tickMs: 60_000 });
    t.add('j1');
    t.loop.start();
    await vi.waitFor(() => expect(t.provider.calls).toHaveLength(1));
    t.provider.script('pv-j1', { state: 'completed', result: RESULT });
    expect(await t.loop.pokeNow('pv-j1')).toBe(1);
    await vi.waitFor(() => expect(t.published).toHaveLength(1));
    await t.loop.stop();
    expect(t.store.get('j1').status).toBe('done');
  });
});
