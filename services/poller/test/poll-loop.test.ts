import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '@pixsim/providers';
import { createPollLoop } from '../src/poll-loop.js';
import { pollsFrom } from '../src/poll-outcome.js';
import { claimWait } from '../src/claim-pace.js';
import type { PollLoopSettings } from '../src/poll-loop-port.js';
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

function setup(settings: Partial<PollLoopSettings> = {}, opts: { callMs?: number } = {}) {
  const time = manualClock();
  const store = new MemoryPollStore();
  const provider = new FakeProvider();
  const { published, publish } = recordingPublish();
  const metrics = new RecordingMetrics();
  const warnings: object[] = [];
  let publishFails = false;
  /** A replica of the poller on this store, provider and clock. */
  const replica = (owner: string) =>
    createPollLoop({
      store,
      provider,
      clock: time.clock,
      metrics,
      owner,
      random: () => 1,
      publish: async (input) => {
        if (publishFails) throw new Error('redis is down');
        return publish(input);
      },
      openCredential: (gen) => `key-of-${gen.credential.kid}`,
      settings: { ...SETTINGS, ...settings },
      logger: { warn: (obj) => void warnings.push(obj), error: (obj) => void warnings.push(obj) },
    });
  const loop = replica('replica-a');
  const add = (jobId: string, over = {}) => store.add(generation(jobId, time.clock(), over));
  const callTimes: number[] = [];
  const deadlines: Array<number | undefined> = [];
  const status = provider.status.bind(provider);
  provider.status = (creds, id, callOpts) => {
    callTimes.push(time.at());
    deadlines.push(callOpts?.deadlineAt);
    // The provider's answer takes this long to come back.
    if (opts.callMs) time.advance(opts.callMs);
    return status(creds, id);
  };
  const writes = { reschedule: 0, claims: 0 };
  const reschedule = store.reschedule.bind(store);
  store.reschedule = (...args) => {
    writes.reschedule++;
    return reschedule(...args);
  };
  const claimDue = store.claimDue.bind(store);
  store.claimDue = async (...args) => {
    const claimed = await claimDue(...args);
    if (claimed.length > 0) writes.claims++;
    return claimed;
  };
  /** Ticks every `stepMs` for `ms` (the clock moves between ticks, never during one). */
  const drive = async (ms: number, stepMs = 500) => {
    for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
      await loop.tick();
      time.advance(stepMs);
    }
  };
  /** Time between consecutive status calls. */
  const gaps = () => callTimes.slice(1).map((at, i) => at - callTimes[i]!);
  return {
    replica,
    deadlines,
    callTimes,
    gaps,
    writes,
    drive,
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

/**
 * A second replica ticks at 10, 20 and 29.999 s after `t0` and takes nothing; at 30 s, the
 * lease's end, it takes j1.
 */
async function expectTakenOverAtLeaseEnd(t: ReturnType<typeof setup>, t0: number): Promise<void> {
  const b = t.replica('replica-b');
  for (const at of [10_000, 20_000, 29_999]) {
    t.time.advance(at - (t.time.at() - t0));
    expect(await b.tick()).toBe(0);
  }
  t.time.advance(1);
  expect(await b.tick()).toBe(1);
  expect(t.store.get('j1').lease_owner).toBe('replica-b');
}

describe('poll loop', () => {
  it('when the provider says pending, then it is polled every interval from memory while its lease lasts, writing nothing', async () => {
    const t = setup();
    const t0 = t.time.at();
    t.add('j1');
    expect(await t.loop.tick()).toBe(1);
    expect(await t.loop.tick()).toBe(0); // not due yet
    // Leased for 30 s: stored due at the lease's end, where another replica may take it over.
    expect(t.store.get('j1')).toMatchObject({ status: 'polling', lease_owner: 'replica-a' });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t0 + 30_000);
    await t.drive(30_000);
    expect(t.callTimes).toEqual([t0, t0 + 10_000, t0 + 20_000]);
    expect(t.writes).toEqual({ claims: 1, reschedule: 0 });
    expect(t.provider.calls.every((c) => c.apiKey === 'key-of-k1' && c.providerJobId === 'pv-j1')).toBe(true);
    expect(t.published).toEqual([]);
    expect(t.metrics.outcomes).toEqual(['pending', 'pending', 'pending']);
    // Its next poll is the lease's end: let go without a write, the next claim takes it up again.
    expect(await t.loop.tick()).toBe(1);
    expect(t.callTimes.at(-1)).toBe(t0 + 30_000);
    expect(t.writes).toEqual({ claims: 2, reschedule: 0 });
  });

  it('when the provider takes a while to answer, then polls still start one interval apart', async () => {
    const t = setup({}, { callMs: 300 });
    const t0 = t.time.at();
    t.add('j1');
    await t.drive(25_000, 100);
    // Counted from when each poll was due: the 300 ms calls do not stretch the interval to 10.3 s.
    expect(t.callTimes).toEqual([t0, t0 + 10_000, t0 + 20_000]);
    expect(t.writes.reschedule).toBe(0);
  });

  it('when a poll starts late, then the next is one interval after it was due, or after its start when over half an interval late', () => {
    // Waited 300 ms for a slot: the rate holds.
    expect(pollsFrom({ due: 50_000, started: 50_300 }, 10_000)).toBe(50_000);
    expect(pollsFrom({ due: 50_000, started: 55_000 }, 10_000)).toBe(50_000);
    // Started 8 s late (the replica fell behind): no catching up, the next is 10 s after this one.
    expect(pollsFrom({ due: 50_000, started: 58_000 }, 10_000)).toBe(58_000);
  });

  it('when the next poll falls outside the lease, then the generation is handed back with that time', async () => {
    const t = setup({ pollIntervalMs: 12_000 });
    const t0 = t.time.at();
    t.add('j1');
    await t.drive(20_000);
    // Polled at 0 and 12 s; 24 s is past the last start the lease allows (30 − 5 − 5 s).
    expect(t.callTimes).toEqual([t0, t0 + 12_000]);
    expect(t.writes.reschedule).toBe(1);
    expect(t.store.get('j1')).toMatchObject({ lease_owner: null, lease_until: null, failures: 0 });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t0 + 24_000);
  });

  it('when the lease leaves a call less than the provider client allows it, then that call gets a deadline of its own', async () => {
    const t = setup({ providerDeadlineMs: 15_000 });
    const t0 = t.time.at();
    t.add('j1');
    await t.drive(25_000);
    // 30 s lease: at 0 and 10 s a call has its 15 s; at 20 s only the 5 s before the lease's margin.
    expect(t.deadlines).toEqual([undefined, undefined, t0 + 25_000]);
    await t.loop.stop();
  });

  it('when a generation runs long, then it is polled less often (x2 after 5 min, x3 after 15 min)', async () => {
    const t = setup();
    t.add('j1');
    t.time.advance(6 * 60_000);
    await t.drive(61_000);
    expect(t.gaps()).toEqual([20_000, 20_000, 20_000]);
    t.time.advance(10 * 60_000);
    t.callTimes.length = 0;
    await t.drive(91_000);
    expect(t.gaps()).toEqual([30_000, 30_000, 30_000]);
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
    t.time.advance(4_999);
    expect(await t.loop.tick()).toBe(0);
    t.time.advance(1);
    expect(await t.loop.tick()).toBe(1);
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
    await t.drive(95_000);
    expect(t.gaps()).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(t.metrics.errors).toEqual(Array(8).fill('unavailable'));
    expect(t.warnings[0]).toMatchObject({ job_id: 'j1', kind: 'unavailable' });
    // a success afterwards resets the count
    t.provider.script('pv-j1', { state: 'pending' });
    await t.drive(31_000);
    await t.loop.stop();
    expect(t.store.get('j1')).toMatchObject({ status: 'polling', failures: 0, lease_owner: null });
  });

  it('when a poll fails, then the count it changed is written when the generation leaves the replica', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', new ProviderError('unavailable', 'HTTP 503'), { state: 'pending' });
    await t.loop.tick();
    // held: the count lives in memory until the generation is handed back
    expect(t.store.get('j1').failures).toBe(0);
    await t.loop.stop();
    expect(t.store.get('j1')).toMatchObject({ status: 'polling', failures: 1, lease_owner: null, lease_until: null });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t.time.at() + 1_000);
  });

  it('when the circuit is open, then the poll is retried one interval later and not counted as a failure', async () => {
    const t = setup();
    t.add('j1');
    t.provider.script('pv-j1', new ProviderError('circuit_open', 'breaker open'));
    const t0 = t.time.at();
    await t.drive(10_500);
    expect(t.callTimes).toEqual([t0, t0 + 10_000]);
    expect(t.metrics.errors).toEqual(['circuit_open', 'circuit_open']);
    await t.loop.stop();
    expect(t.store.get('j1')).toMatchObject({ failures: 0, lease_owner: null });
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

  it('when a replica dies holding a generation, then another polls it only once the lease has run out', async () => {
    const t = setup();
    const t0 = t.time.at();
    t.add('j1');
    expect(await t.loop.tick()).toBe(1); // replica-a holds it, then dies (never ticks again)
    await expectTakenOverAtLeaseEnd(t, t0);
    expect(t.callTimes).toEqual([t0, t0 + 30_000]);
  });

  it('when a replica stops, then it hands back what it held, due when it was due, and another takes it up then', async () => {
    const t = setup();
    const t0 = t.time.at();
    t.add('j1');
    t.add('j2');
    await t.loop.tick();
    expect(t.loop.held()).toBe(2);
    await t.loop.stop();
    expect(t.loop.held()).toBe(0);
    expect(t.store.get('j1')).toMatchObject({ lease_owner: null, lease_until: null });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t0 + 10_000);
    const b = t.replica('replica-b');
    t.time.advance(10_000);
    expect(await b.tick()).toBe(2);
  });

  it('when a held generation waits past the last start its lease allows, then it is handed back due, not polled', async () => {
    const t = setup({ concurrency: 1 });
    const t0 = t.time.at();
    t.add('j1');
    await t.loop.tick();
    // The replica fell behind: the next tick comes after 20 s (30 s lease − 5 s margin − 5 s shortest call).
    t.time.advance(21_000);
    expect(await t.loop.tick()).toBe(0);
    expect(t.callTimes).toEqual([t0]);
    expect(t.store.get('j1')).toMatchObject({ lease_owner: null });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t0 + 10_000);
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

describe('a generation recorded by this replica', () => {
  /** What the JOB_SUBMITTED handler does: a lease from the loop, the record under it, the loop takes it up. */
  const record = (t: ReturnType<typeof setup>, loop: typeof t.loop, jobId: string, firstPollAt: Date) => {
    const lease = loop.leaseNew(firstPollAt);
    const gen = generation(jobId, t.time.clock(), {
      ...(lease ? { lease_owner: lease.owner, lease_until: lease.until, next_poll_at: lease.until } : {}),
    });
    t.store.add(gen);
    if (lease) loop.takeUp(lease, gen, firstPollAt);
    return lease;
  };

  it('when it records a new generation, then it holds it leased and polls it at its first poll time without a claim', async () => {
    const t = setup();
    const t0 = t.time.at();
    expect(record(t, t.loop, 'j1', new Date(t0 + 2_000))).not.toBeNull();
    expect(t.loop.held()).toBe(1);
    // Stored leased, due at the lease's end: no other replica's claim finds it.
    expect(t.store.get('j1')).toMatchObject({ lease_owner: 'replica-a' });
    expect(t.store.get('j1').next_poll_at!.getTime()).toBe(t0 + 30_000);
    expect(await t.loop.tick()).toBe(0); // not due yet
    t.time.advance(2_000);
    expect(await t.loop.tick()).toBe(1);
    expect(t.callTimes).toEqual([t0 + 2_000]);
    expect(t.writes).toEqual({ claims: 0, reschedule: 0 });
  });

  it('when its holder dies, then another replica claims it only once the lease has run out', async () => {
    const t = setup();
    const t0 = t.time.at();
    const dead = t.replica('replica-dead');
    record(t, dead, 'j1', new Date(t0)); // recorded leased, then the replica dies (never polls)
    await expectTakenOverAtLeaseEnd(t, t0);
    expect(t.callTimes).toEqual([t0 + 30_000]);
  });

  it('when the replica holds POLL_MAX_HELD already, or the lease would not cover the first poll, then it is recorded unleased', async () => {
    const t = setup({ maxHeld: 1 });
    const t0 = t.time.at();
    expect(record(t, t.loop, 'j1', new Date(t0))).not.toBeNull();
    expect(record(t, t.loop, 'j2', new Date(t0))).toBeNull();
    expect(t.store.get('j2')).toMatchObject({ lease_owner: null });
    const roomy = t.replica('replica-b');
    // 30 s lease: the last poll it covers starts 20 s in.
    expect(roomy.leaseNew(new Date(t0 + 20_001))).toBeNull();
    expect(t.loop.held()).toBe(1);
  });
});

describe('how much a replica holds', () => {
  it('when more generations are due than POLL_MAX_HELD, then a replica holds no more than that and leaves the rest in the store', async () => {
    const t = setup({ maxHeld: 5, batch: 20 });
    for (let i = 0; i < 12; i++) t.add(`job-${i}`);
    await t.loop.tick();
    expect(t.loop.held()).toBe(5);
    // A second replica takes the rest: they were never leased to the first.
    const other = t.replica('replica-b');
    await other.tick();
    expect(other.held()).toBe(5);
  });
});

describe('claims of a running replica', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A running loop on fake timers (its clock is the faked Date), counting every claim, empty or not. */
  function running(settings: Partial<PollLoopSettings>) {
    vi.useFakeTimers({ now: new Date('2025-01-01T00:00:00.000Z') });
    const store = new MemoryPollStore();
    const provider = new FakeProvider();
    const claimsAt: number[] = [];
    /** When each claim that found something was made. */
    const foundAt: number[] = [];
    const callsAt: number[] = [];
    const claimDue = store.claimDue.bind(store);
    store.claimDue = async (...args) => {
      const at = Date.now();
      claimsAt.push(at);
      const claimed = await claimDue(...args);
      if (claimed.length > 0) foundAt.push(at);
      return claimed;
    };
    const status = provider.status.bind(provider);
    provider.status = (creds, id, opts) => {
      callsAt.push(Date.now());
      return status(creds, id, opts);
    };
    const loop = createPollLoop({
      store,
      provider,
      clock: () => new Date(),
      owner: 'replica-a',
      random: () => 1,
      publish: recordingPublish().publish,
      openCredential: (gen) => `key-of-${gen.credential.kid}`,
      settings: { ...SETTINGS, ...settings },
      logger: { warn: () => {}, error: () => {} },
    });
    return { store, loop, claimsAt, foundAt, callsAt, t0: Date.now() };
  }

  it('when claims keep finding nothing, then each waits twice as long as the last, up to POLL_IDLE_TICK_MS', async () => {
    const r = running({ tickMs: 50, idleTickMs: 1_000 });
    r.loop.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await r.loop.stop();
    const gaps = r.claimsAt.slice(1).map((at, i) => at - r.claimsAt[i]!);
    expect(gaps.slice(0, 6)).toEqual([50, 100, 200, 400, 800, 1_000]);
    expect(new Set(gaps.slice(5))).toEqual(new Set([1_000]));
    // Every 50 ms, as before the backoff, would have been 200 claims.
    expect(r.claimsAt.length).toBeLessThanOrEqual(15);
  });

  it('when a claim finds a generation, then the next claims come every POLL_TICK_MS again', async () => {
    const r = running({ tickMs: 50, idleTickMs: 1_000 });
    r.loop.start();
    await vi.advanceTimersByTimeAsync(5_000); // idle: claims are 1 s apart by now
    const before = r.claimsAt.length;
    r.store.add(generation('j1', new Date(), { next_poll_at: new Date() }));
    await vi.advanceTimersByTimeAsync(1_000); // the next idle claim takes it
    expect(r.callsAt).toHaveLength(1);
    expect(r.foundAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    await r.loop.stop();
    const after = r.claimsAt.filter((at) => at >= r.foundAt[0]!);
    // One tick after the claim that found it, one more after the first that did not, then doubling.
    expect(after.slice(1, 5).map((at, i) => at - after[i]!)).toEqual([50, 50, 100, 200]);
    expect(r.claimsAt.length).toBeGreaterThan(before);
  });

  it('when the replica lets a generation go at its lease end, then it claims it back then, however long the idle wait', async () => {
    // Idle claims an hour apart: only the let-go generation's own due time brings the claim.
    const r = running({ tickMs: 50, idleTickMs: 3_600_000 });
    r.store.add(generation('j1', new Date(), { next_poll_at: new Date() }));
    r.loop.start();
    await vi.advanceTimersByTimeAsync(45_000);
    await r.loop.stop();
    // Polled at 0, 10 and 20 s under the first lease; the poll due at 30 s falls on the lease's
    // end, so it is let go there and claimed again at once, not an hour later.
    expect(r.callsAt.map((at) => at - r.t0)).toEqual([0, 10_000, 20_000, 30_000, 40_000]);
  });

  it('when a generation is poked while claims are idle, then it is claimed and polled at once', async () => {
    const r = running({ tickMs: 50, idleTickMs: 3_600_000 });
    r.loop.start();
    await vi.advanceTimersByTimeAsync(5_000);
    r.store.add(generation('j1', new Date(), { next_poll_at: new Date(Date.now() + 600_000) }));
    expect(await r.loop.pokeNow('pv-j1')).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(r.callsAt.map((at) => at - r.t0)).toEqual([5_000]);
    await r.loop.stop();
  });
});

describe('claimWait', () => {
  it('doubles from the tick with each empty claim, never past the idle tick nor below the tick', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => claimWait(n, 50, 1_000))).toEqual([50, 100, 200, 400, 800, 1_000, 1_000]);
    expect(claimWait(3, 500, 100)).toBe(500);
    expect(claimWait(9, 500)).toBe(500);
    expect(claimWait(1_000, 50, 2_000)).toBe(2_000);
  });
});
