import { randomUUID } from 'node:crypto';
import { generateSealingKeyPair, parsePublicKey, sealCredential } from '@pixsim/credentials';
import { describe, expect, it } from 'vitest';
import { eventIds, type EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { DispatchOutcome } from '../src/dispatch/dispatch-job.js';
import { createJobEndedHandler } from '../src/handlers/job-ended.js';
import { createReconciler } from '../src/reconciler.js';
import { createScanner } from '../src/dispatch/scanner.js';
import { clock, jobCreatedData, useDispatchWorld, type DispatchPartsOptions, type Submissions } from './world.js';

const world = useDispatchWorld('t-dispatch');

async function setup(opts: DispatchPartsOptions = {}) {
  const parts = await world.dispatchParts(opts);
  const addAccount = (id: string, o: { simCredits: number; credits?: number; max: number; priority?: number }) =>
    world.addAccount(parts.accounts, id, o);
  const newJob = async (prompt: string, priority = 5) => {
    const data = jobCreatedData({ params: { prompt, model: 'v5' }, priority });
    await parts.submissions.ensure(data, new Date());
    return data.job_id;
  };
  return { ...parts, addAccount, newJob };
}

/** A scanner over `t`'s stores that records the jobs it tries; its first pass runs on start, the next a minute later. */
function scannerOver(
  t: Awaited<ReturnType<typeof setup>>,
  o: { concurrency: number; costOf?: Parameters<typeof createScanner>[0]['costOf'] },
) {
  const tried: string[] = [];
  const scanner = createScanner({
    submissions: t.submissions,
    dispatchJob: (id) => (tried.push(id), t.dispatchJob(id)),
    clock,
    intervalMs: 60_000,
    staleMs: 120_000,
    concurrency: o.concurrency,
    logger: { warn() {} },
    costOf: o.costOf ?? (() => 45),
    hasFreeSlot: (p) => t.accounts.hasFreeSlot(p, new Date()),
  });
  return { scanner, tried };
}

const ofType = (published: PublishInput[], type: string) => published.filter((p) => p.type === type);

describe('dispatch', () => {
  it('when 30 jobs race for one account with 3 slots, then exactly 3 are submitted and the rest wait', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 100_000, max: 3 });
    const jobs = await Promise.all(Array.from({ length: 30 }, (_, i) => t.newJob(`race ${i} ${randomUUID()}`)));
    const outcomes = await Promise.all(jobs.map((j) => t.dispatchJob(j)));
    expect(outcomes.filter((o) => o === 'submitted')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'waiting_for_account')).toHaveLength(27);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(3);
    expect(ofType(t.published, 'JOB_DEFERRED')).toHaveLength(27);
    const submitted = ofType(t.published, 'JOB_SUBMITTED')[0]!.data as EventData<'JOB_SUBMITTED'>;
    expect(JSON.stringify(submitted)).not.toContain('key-a1');
    expect(submitted.credential.alg).toBe('X25519-HKDF-A256GCM');
  });

  it('when a new job is recorded with a claim token, then that caller owns it at once and a redelivery with another token does not', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 5 });
    const data = jobCreatedData();
    const sub = await t.submissions.ensure(data, new Date(), null, 'token-1');
    expect(sub).toMatchObject({ state: 'claimed', claim_token: 'token-1' });
    // The same event again (a redelivery) finds the record claimed by someone else: not due for it.
    expect(await t.submissions.ensure(data, new Date(), null, 'token-2')).toMatchObject({ claim_token: 'token-1' });
    expect(await t.dispatchJob(data.job_id)).toBe('not_due');
    expect(await t.dispatchJob(data.job_id, { sub, token: 'token-1' })).toBe('submitted');
    expect(ofType(t.published, 'JOB_SUBMITTED')).toHaveLength(1);
    // A job scheduled for later is recorded waiting, whatever the token.
    const later = await t.submissions.ensure(
      { ...data, job_id: `${data.job_id}-later`, scheduled_at: new Date(Date.now() + 60_000).toISOString() },
      new Date(),
      null,
      'token-3',
    );
    expect(later).toMatchObject({ state: 'waiting', claim_token: null });
  });

  it('when recording the outcome fails after the provider accepted, then the job is not sent back for another submit', async () => {
    let failNext = true;
    const t = await setup({
      wrapSubmissions: (real) => ({
        ...real,
        async markSubmitted(...args: Parameters<Submissions['markSubmitted']>) {
          if (failNext) {
            failNext = false;
            throw new Error('connection reset while recording');
          }
          return real.markSubmitted(...args);
        },
      }),
    });
    await t.addAccount('a1', { simCredits: 10_000, max: 5 });
    const job = await t.newJob(`accepted ${randomUUID()}`);
    const before = await world.submittedAtSim();
    await expect(t.dispatchJob(job)).rejects.toThrow(/connection reset/);
    const after = await world.submittedAtSim();
    expect(after - before).toBe(1);
    // The intent stays: not due again until it is stale, and then recovered as a possible duplicate.
    expect(await t.submissions.get(job)).toMatchObject({ state: 'submitting', account_id: 'a1' });
    expect(await t.dispatchJob(job)).toBe('not_due');
    expect(ofType(t.published, 'JOB_DEFERRED')).toHaveLength(0);
  });

  it('when the best account has no credits at the provider, then it is marked EXHAUSTED and the job runs on another', async () => {
    const t = await setup();
    await t.addAccount('broke', { simCredits: 0, credits: 10_000, max: 5, priority: 10 });
    await t.addAccount('rich', { simCredits: 10_000, max: 5, priority: 1 });
    const job = await t.newJob(`exhaust ${randomUUID()}`);
    expect(await t.dispatchJob(job)).toBe('submitted');
    expect(await t.accounts.get('broke')).toMatchObject({ status: 'EXHAUSTED', in_flight: 0 });
    expect((ofType(t.published, 'JOB_SUBMITTED')[0]!.data as EventData<'JOB_SUBMITTED'>).account_id).toBe('rich');
  });

  it('when an account hits its concurrency limit at the provider, then it cools down and the next account is tried at once', async () => {
    const t = await setup();
    await t.addAccount('limited', { simCredits: 10_000, max: 5, priority: 10 });
    await t.addAccount('spare', { simCredits: 10_000, max: 5 });
    const job = await t.newJob(`[sim:error=500044] ${randomUUID()}`);
    // The directive refuses every account, so the job waits once every account is cooling down.
    expect(await t.dispatchJob(job)).toBe('waiting_for_account');
    const limited = await t.accounts.get('limited');
    expect(limited).toMatchObject({ status: 'RATE_LIMITED', in_flight: 0 });
    expect(limited!.cooldown_until!.getTime()).toBeGreaterThan(Date.now());
    // The spare account was tried in the same dispatch (and refused the same way).
    expect(await t.accounts.get('spare')).toMatchObject({ status: 'RATE_LIMITED', in_flight: 0 });
  });

  it('when the prompt is refused by moderation at submit, then the job fails at once with PROVIDER_MODERATION', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 5 });
    const job = await t.newJob(`[sim:reject] ${randomUUID()}`);
    expect(await t.dispatchJob(job)).toBe('failed');
    expect(ofType(t.published, 'JOB_FAILED')[0]).toMatchObject({
      id: eventIds.jobFailed(job),
      data: { error_code: 'PROVIDER_MODERATION', stage: 'dispatch' },
    });
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
  });

  it('when the provider is under high load, then the submit is retried with backoff up to MAX_TRIES, then fails RETRIES_EXHAUSTED', async () => {
    const t = await setup({ maxTries: 3 });
    await t.addAccount('a1', { simCredits: 10_000, max: 5 });
    const job = await t.newJob(`[sim:error=500069] ${randomUUID()}`);
    const seen: DispatchOutcome[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen.push(await t.dispatchJob(job));
    }
    expect(seen).toEqual(['retry', 'retry', 'failed']);
    expect(ofType(t.published, 'JOB_FAILED')[0]!.data).toMatchObject({
      error_code: 'RETRIES_EXHAUSTED',
      retry_count: 3,
    });
    expect(ofType(t.published, 'JOB_DEFERRED').map((p) => (p.data as EventData<'JOB_DEFERRED'>).reason)).toEqual([
      'retry_backoff',
      'retry_backoff',
    ]);
  });

  it('when a job ends and its terminal event is delivered three times, then its slot is released exactly once', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 2 });
    const [j1, j2] = [await t.newJob(`one ${randomUUID()}`), await t.newJob(`two ${randomUUID()}`)];
    await t.dispatchJob(j1);
    await t.dispatchJob(j2);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(2);
    const freed: string[] = [];
    const ended = createJobEndedHandler({
      submissions: t.submissions,
      accounts: t.accounts,
      onSlotFreed: (a) => void freed.push(a),
    });
    const event = {
      type: 'JOB_COMPLETED' as const,
      data: {
        job_id: j1,
        user_id: 'u1',
        provider_id: 'pixverse',
        provider_job_id: '1',
        account_id: 'a1',
        completed_at: new Date().toISOString(),
        result: { url: 'https://v/1.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 1 },
      },
    };
    await Promise.all([ended(event), ended(event), ended(event)]);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(1);
    expect(freed).toEqual(['a1']);
  });

  it("when an account's key is sealed under a key the dispatcher lacks, then that account is set aside saying what to do, the job goes on another without spending a try, and a new api_key revives it", async () => {
    const t = await setup();
    await t.addAccount('good', { simCredits: 10_000, max: 2 });
    const lost = parsePublicKey(generateSealingKeyPair('gone').publicKey);
    await t.accounts.apply(
      {
        action: 'create',
        account_id: 'lost',
        provider_id: 'pixverse',
        credential: sealCredential(lost, 'lost', 'some-key'),
        max_concurrent_jobs: 2,
        priority: 9,
        requested_at: new Date().toISOString(),
      },
      new Date(),
    );
    await t.accounts.setCredits('lost', 10_000);
    const job = await t.newJob(`sealed away ${randomUUID()}`);
    expect(await t.dispatchJob(job)).toBe('submitted');
    expect(await t.submissions.get(job)).toMatchObject({ account_id: 'good', tries: 0 });
    const setAside = (await t.accounts.get('lost'))!;
    expect(setAside).toMatchObject({ status: 'ERROR', in_flight: 0 });
    expect(setAside.status_reason).toMatch(
      /no key "gone" in PIXSIM_SEALING_PRIVATE_KEYS.*set the account ACTIVE \(PATCH \/api\/v1\/accounts\/\{id\}\), or PATCH its api_key again/,
    );

    await t.accounts.apply(
      {
        action: 'update',
        account_id: 'lost',
        credential: sealCredential(world.sealingKey, 'lost', 'a-new-key'),
        requested_at: new Date().toISOString(),
      },
      new Date(),
    );
    expect(await t.accounts.get('lost')).toMatchObject({ status: 'ACTIVE', status_reason: null });
  });

  it('when the first waiting job costs more than any account has left, then the scanner still dispatches the cheaper ones behind it; with no free slot it stops at once', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, credits: 100, max: 3 });
    const newJob = async (quality: string, priority: number) => {
      const data = jobCreatedData({
        params: { prompt: `p ${randomUUID()}`, model: 'v5', quality, duration: 5 },
        priority,
      });
      await t.submissions.ensure(data, new Date());
      return data.job_id;
    };
    const dear = await newJob('1080p', 9); // 120 credits: more than the 100 left, and first in line
    const cheap = [await newJob('540p', 5), await newJob('540p', 5)]; // 45 each
    const provider = world.provider();
    const { scanner } = scannerOver(t, {
      concurrency: 1,
      costOf: (job) => provider.estimateCost({ operationType: job.operation_type, params: job.params }),
    });
    scanner.start();
    await expect
      .poll(async () => (await Promise.all(cheap.map((j) => t.submissions.get(j)))).map((s) => s?.state), {
        timeout: 5_000,
      })
      .toEqual(['submitted', 'submitted']);
    await scanner.stop();
    expect((await t.submissions.get(dear))!.state).toBe('waiting');
    expect(scanner.backlog).toBe(1);

    // Every slot taken now: the next job that waits ends the pass, and nothing after it is tried.
    const u = await setup();
    await u.addAccount('a2', { simCredits: 10_000, credits: 10_000, max: 1 });
    const first = await u.newJob(`takes the slot ${randomUUID()}`, 9);
    expect(await u.dispatchJob(first)).toBe('submitted');
    const behind = [
      await u.newJob(`w1 ${randomUUID()}`, 5),
      await u.newJob(`w2 ${randomUUID()}`, 5),
      await u.newJob(`w3 ${randomUUID()}`, 5),
    ];
    const { scanner: full, tried } = scannerOver(u, { concurrency: 1 });
    full.start();
    await expect.poll(() => tried.length, { timeout: 5_000 }).toBe(1);
    await full.stop();
    expect(tried).toEqual([behind[0]]);
    expect(full.backlog).toBe(3);
  });

  it('when jobs wait and no account has a slot, then a pass with ten workers tries one job, not ten; with three slots free it fills all three', async () => {
    const u = await setup();
    await u.addAccount('a3', { simCredits: 10_000, credits: 10_000, max: 3 });
    for (let i = 0; i < 3; i++)
      expect(await u.dispatchJob(await u.newJob(`h${i} ${randomUUID()}`, 9))).toBe('submitted');
    for (let i = 0; i < 12; i++) await u.newJob(`w${i} ${randomUUID()}`, 5);
    const { scanner: full, tried } = scannerOver(u, { concurrency: 10 });
    full.start();
    await expect.poll(() => full.backlog, { timeout: 5_000 }).toBe(12);
    await full.stop();
    expect(tried).toHaveLength(1);

    // Three free slots and twelve jobs: the pass grows one worker per submit and fills all
    // three; the workers it has when the slots run out each find none, and the pass ends.
    const v = await setup();
    await v.addAccount('a4', { simCredits: 10_000, credits: 10_000, max: 3 });
    const queued: string[] = [];
    for (let i = 0; i < 12; i++) queued.push(await v.newJob(`q${i} ${randomUUID()}`, 5));
    const { scanner: freed, tried: triedFree } = scannerOver(v, { concurrency: 10 });
    freed.start();
    await expect.poll(() => freed.backlog, { timeout: 5_000 }).toBe(9);
    await freed.stop();
    const states = await Promise.all(queued.map((j) => v.submissions.get(j)));
    expect(states.filter((st) => st?.state === 'submitted')).toHaveLength(3);
    // All ten workers at once would have tried ten; growing, the pass stops at seven at most.
    expect(triedFree.length).toBeGreaterThanOrEqual(4);
    expect(triedFree.length).toBeLessThanOrEqual(7);
  });

  it('when a credit top-up is delivered twice, then it counts once; another top-up counts too, and an EXHAUSTED account is revived', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, credits: 100, max: 2 });
    await t.accounts.setStatus('a1', 'EXHAUSTED', 'insufficient balance', 100);
    const topUp = {
      action: 'add_credits' as const,
      account_id: 'a1',
      credits: 500,
      requested_at: new Date().toISOString(),
    };
    await t.accounts.apply(topUp, new Date(), 'a1:ACCOUNT_COMMAND:first');
    await t.accounts.apply(topUp, new Date(), 'a1:ACCOUNT_COMMAND:first'); // redelivered
    expect(await t.accounts.get('a1')).toMatchObject({ credits: 600, status: 'ACTIVE' });
    await t.accounts.apply(topUp, new Date(), 'a1:ACCOUNT_COMMAND:second');
    expect((await t.accounts.get('a1'))!.credits).toBe(1_100);
  });

  it("when one job is cancelled and another fails at the provider, then only the failure counts in the account's total_failed", async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 2 });
    const [cancelled, failed] = [await t.newJob(`cancel ${randomUUID()}`), await t.newJob(`fail ${randomUUID()}`)];
    await t.dispatchJob(cancelled);
    await t.dispatchJob(failed);
    const ended = createJobEndedHandler({ submissions: t.submissions, accounts: t.accounts, onSlotFreed: () => {} });
    const failure = (jobId: string, code: 'CANCELLED_BY_USER' | 'PROVIDER_FAILED') => ({
      type: 'JOB_FAILED' as const,
      data: {
        job_id: jobId,
        stage: 'poll' as const,
        error_code: code,
        error_message: code,
        retry_count: 0,
        account_id: 'a1',
        provider_job_id: '1',
        failed_at: new Date().toISOString(),
      },
    });
    await ended(failure(cancelled, 'CANCELLED_BY_USER'));
    expect(await t.accounts.get('a1')).toMatchObject({ in_flight: 1, total_failed: 0 });
    await ended(failure(failed, 'PROVIDER_FAILED'));
    expect(await t.accounts.get('a1')).toMatchObject({ in_flight: 0, total_failed: 1 });
  });

  it('when a dispatcher died after recording its intent, then the takeover counts a possible duplicate and submits again', async () => {
    const t = await setup({ staleMs: 50 });
    await t.addAccount('a1', { simCredits: 10_000, max: 2 });
    const job = await t.newJob(`crash ${randomUUID()}`);
    // What a dispatcher leaves behind when killed inside provider.submit():
    const token = 'dead-dispatcher';
    expect(await t.submissions.claim(job, token, new Date(), new Date(0))).not.toBeNull();
    expect((await t.accounts.reserveBest('pixverse', 45, new Date()))?._id).toBe('a1');
    await t.submissions.recordIntent(job, token, 'a1', new Date());
    await new Promise((r) => setTimeout(r, 80));
    expect(await t.dispatchJob(job)).toBe('submitted');
    expect(t.duplicates).toEqual([job]);
    expect(await t.submissions.get(job)).toMatchObject({ state: 'submitted', attempt: 2 });
    expect((await t.accounts.get('a1'))!.in_flight).toBe(1);
  });

  it('when a dispatcher died after recording a submit but before publishing it, then the sweep publishes JOB_SUBMITTED with the same id', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 2 });
    const job = await t.newJob(`unannounced ${randomUUID()}`);
    // What a dispatcher leaves behind when killed between its record and its publish:
    const token = 'dead-dispatcher';
    await t.submissions.claim(job, token, new Date(), new Date(0));
    expect((await t.accounts.reserveBest('pixverse', 45, new Date()))?._id).toBe('a1');
    const intent = await t.submissions.recordIntent(job, token, 'a1', new Date());
    await t.submissions.markSubmitted(intent!, token, '4242', 45);
    // -1: an outcome recorded in this very millisecond counts too (the filter is settled_at < now - olderThan).
    expect(await t.announcer.sweep(-1)).toBe(1);
    expect(await t.announcer.sweep(-1)).toBe(0);
    expect(t.published.map((p) => p.id)).toEqual([eventIds.jobSubmitted(job, 1)]);
    expect(t.published[0]!.data).toMatchObject({ provider_job_id: '4242', account_id: 'a1', attempt: 1 });
    expect(await t.dispatchJob(job)).toBe('not_due');
  });

  it('when an in-flight counter drifts, then reconciliation repairs it on the second pass only', async () => {
    const t = await setup();
    await t.addAccount('a1', { simCredits: 10_000, max: 5 });
    await t.dispatchJob(await t.newJob(`held ${randomUUID()}`));
    expect((await t.accounts.reserveBest('pixverse', 0, new Date()))?._id).toBe('a1'); // a leaked reservation: 2 held, 1 real
    const repaired: Array<[string, number, number]> = [];
    const reconcile = createReconciler({
      accounts: t.accounts,
      submissions: t.submissions,
      onRepaired: (...a) => void repaired.push(a),
    });
    expect(await reconcile()).toBe(0);
    expect(await reconcile()).toBe(1);
    expect(repaired).toEqual([['a1', 2, 1]]);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(1);
  });
});
