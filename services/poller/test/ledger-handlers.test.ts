import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { eventIds, type SealedSecret } from '@pixsim/contracts';
import { delivered } from '@pixsim/testkit';
import type { GenerationStore } from '../src/generation.js';
import { openGenerationStore } from '../src/store/generation-store.js';
import {
  createCancelHandler,
  createJobFailedHandler,
  createSubmittedHandler,
} from '../src/handlers/ledger-handlers.js';
import { recordingPublish } from './fakes.js';
import { jobSubmitted, openDb, sealForPoller } from './helpers.js';

const credential: SealedSecret = sealForPoller('api-key-1');
const cancelRequested = (jobId: string) =>
  delivered({
    type: 'JOB_CANCEL_REQUESTED',
    id: eventIds.jobCancelRequested(jobId),
    data: { job_id: jobId, user_id: 'user-1', requested_at: new Date().toISOString() },
  });
const failedElsewhere = (jobId: string, stage: 'dispatch' | 'poll' = 'dispatch') =>
  delivered({
    type: 'JOB_FAILED',
    id: eventIds.jobFailed(jobId),
    data: {
      job_id: jobId,
      stage,
      error_code: 'RETRIES_EXHAUSTED',
      error_message: 'x',
      retry_count: 2,
      account_id: null,
      provider_job_id: null,
      failed_at: new Date().toISOString(),
    },
  });

describe('generation ledger (handlers on the real MongoDB store)', () => {
  let db: Connection;
  let store: GenerationStore;
  let rec: ReturnType<typeof recordingPublish>;
  const clock = () => new Date();
  let onSubmitted: ReturnType<typeof createSubmittedHandler>;
  let onCancel: ReturnType<typeof createCancelHandler>;
  let onFailed: ReturnType<typeof createJobFailedHandler>;

  beforeEach(async () => {
    db = await openDb(`poller_ledger_${randomUUID().slice(0, 8)}`);
    store = await openGenerationStore(db);
    rec = recordingPublish();
    onSubmitted = createSubmittedHandler({ store, publish: rec.publish, clock, firstPollDelayMs: 0 });
    onCancel = createCancelHandler({ store, publish: rec.publish, clock });
    onFailed = createJobFailedHandler({ store, clock });
  });
  afterEach(async () => {
    await db.dropDatabase();
    await db.close();
  });

  const docs = () => db.collection('generations').find({}).toArray();
  const claimAll = async (owner: string) => {
    const claimed: string[] = [];
    for (
      let got: Awaited<ReturnType<typeof store.claimDue>>;
      (got = await store.claimDue(owner, new Date(Date.now() + 1), 30_000, 7)).length > 0;
    )
      claimed.push(...got.map((g) => g.job_id));
    return claimed;
  };

  it('when a JOB_SUBMITTED is replayed after its ended generation was purged, then it is acknowledged and nothing polls', async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    await onSubmitted(delivered(jobSubmitted('j-purged', { credential, submitted_at: eightDaysAgo })));
    expect(await docs()).toHaveLength(0);
    expect(await store.countPolling()).toBe(0);
    expect(rec.published).toHaveLength(0);
  });

  it('when the same JOB_SUBMITTED is delivered again (and concurrently), then one generation exists, unchanged', async () => {
    const event = delivered(jobSubmitted('j1', { credential }));
    await onSubmitted(event);
    const [first] = await docs();
    await Promise.all([onSubmitted(event), onSubmitted(event), onSubmitted(event)]);
    const all = await docs();
    expect(all).toHaveLength(1);
    expect(all[0]).toEqual(first);
    expect(first).toMatchObject({
      job_id: 'j1',
      status: 'polling',
      attempt: 1,
      failures: 0,
      lease_owner: null,
      credential,
    });
    expect(JSON.stringify(first)).not.toContain('api-key-1'); // stored sealed
    expect(rec.published).toEqual([]);
  });

  it('when a later attempt is submitted, then it replaces the earlier one, and a late earlier attempt changes nothing', async () => {
    await onSubmitted(delivered(jobSubmitted('j1', { credential, attempt: 1, provider_job_id: 'pv-a' })));
    await onSubmitted(delivered(jobSubmitted('j1', { credential, attempt: 2, provider_job_id: 'pv-b' })));
    await onSubmitted(delivered(jobSubmitted('j1', { credential, attempt: 1, provider_job_id: 'pv-a' })));
    const all = await docs();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ attempt: 2, provider_job_id: 'pv-b', status: 'polling' });
  });

  it('when a poll takes the end first, then a cancel after it announces nothing; when a cancel is first, the poll cannot take the end', async () => {
    await onSubmitted(delivered(jobSubmitted('job-e', { credential })));
    await onSubmitted(delivered(jobSubmitted('job-c', { credential })));
    const claimed = await store.claimDue('poller-t', new Date(Date.now() + 60_000), 30_000, 10);
    const e = claimed.find((g) => g.job_id === 'job-e')!;
    const c = claimed.find((g) => g.job_id === 'job-c')!;
    const completed = { type: 'JOB_COMPLETED', id: eventIds.jobCompleted('job-e'), data: { job_id: 'job-e' } } as never;

    expect(await store.beginEnd(e, 'completed', completed, new Date(Date.now() - 60_000))).toBe(true);
    await onCancel(cancelRequested('job-e'));
    expect(rec.published).toEqual([]);
    // Taken but never announced (the poller died): found a lease later, with its event.
    const stranded = await store.unannounced(new Date(Date.now() - 30_000), 10);
    expect(stranded.map((x) => [x.gen.job_id, x.gen.status, x.event.id])).toEqual([
      ['job-e', 'ending', eventIds.jobCompleted('job-e')],
    ]);
    await store.finish(e, 'completed', new Date());
    expect(await store.unannounced(new Date(), 10)).toEqual([]);

    await onCancel(cancelRequested('job-c'));
    expect(rec.published.map((p) => (p.data as { error_code: string }).error_code)).toEqual(['CANCELLED_BY_USER']);
    expect(await store.beginEnd(c, 'completed', completed, new Date())).toBe(false);
  });

  it('when cancels and submissions of 60 jobs arrive at the same moment, then every generation ends cancelled and each cancel is announced once', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `job-race-${i}`);
    await Promise.all(
      ids.flatMap((id) => [onCancel(cancelRequested(id)), onSubmitted(delivered(jobSubmitted(id, { credential })))]),
    );
    const claimed = await store.claimDue('poller-t', new Date(Date.now() + 60_000), 30_000, 100);
    expect(claimed.map((g) => g.job_id)).toEqual([]); // none left polling
    const announced = rec.published.map((p) => (p.data as { job_id: string }).job_id).sort();
    expect(announced).toEqual([...ids].sort());
  });

  it('when a cancel arrives while polling, then the generation is cancelled once and JOB_FAILED CANCELLED_BY_USER is announced', async () => {
    await onSubmitted(delivered(jobSubmitted('j1', { credential, attempt: 2 })));
    await onCancel(cancelRequested('j1'));
    await onCancel(cancelRequested('j1')); // redelivered: the same event again
    expect(rec.published).toHaveLength(2);
    expect(rec.published[1]).toEqual(rec.published[0]);
    expect(rec.published[0]).toMatchObject({
      type: 'JOB_FAILED',
      id: 'j1:JOB_FAILED',
      data: {
        stage: 'cancel',
        error_code: 'CANCELLED_BY_USER',
        retry_count: 1,
        provider_job_id: 'pv-j1',
        account_id: 'acct-1',
      },
    });
    expect((await docs())[0]).toMatchObject({ status: 'cancelled', end_reason: 'cancelled' });
    expect(await claimAll('a')).toEqual([]);
  });

  it('when the cancel comes before the submission, then the submission is cancelled on arrival and never polled', async () => {
    await onCancel(cancelRequested('j1'));
    expect(rec.published).toEqual([]);
    await onSubmitted(delivered(jobSubmitted('j1', { credential })));
    expect(rec.published).toEqual([
      expect.objectContaining({
        type: 'JOB_FAILED',
        data: expect.objectContaining({ error_code: 'CANCELLED_BY_USER', provider_job_id: 'pv-j1' }),
      }),
    ]);
    expect(await claimAll('a')).toEqual([]);
    expect(await docs()).toHaveLength(1);
  });

  it('when the job failed elsewhere, then polling stops quietly, and a late submission is not polled', async () => {
    await onSubmitted(delivered(jobSubmitted('j1', { credential })));
    await onFailed(failedElsewhere('j1'));
    await onFailed(failedElsewhere('j2'));
    await onSubmitted(delivered(jobSubmitted('j2', { credential })));
    expect(rec.published).toEqual([]);
    expect(await claimAll('a')).toEqual([]);
    expect((await docs()).map((d) => [d.job_id, d.status, d.end_reason])).toEqual([
      ['j1', 'done', 'failed_elsewhere'],
      ['j2', 'done', 'failed_elsewhere'],
    ]);
  });

  it("when the poller's own JOB_FAILED comes back, then the handler leaves the ending to the loop", async () => {
    await onSubmitted(delivered(jobSubmitted('j1', { credential })));
    await onFailed(failedElsewhere('j1', 'poll'));
    expect((await docs())[0]).toMatchObject({ status: 'polling' });
  });

  it('when a replica holds a lease, then no other claims it until the lease expires', async () => {
    await onSubmitted(delivered(jobSubmitted('j1', { credential })));
    const now = new Date(Date.now() + 1);
    expect((await store.claimDue('a', now, 1_000, 10))[0]?.lease_owner).toBe('a');
    expect(await store.claimDue('b', now, 1_000, 10)).toEqual([]);
    const later = new Date(now.getTime() + 1_000);
    const [stolen] = await store.claimDue('b', later, 1_000, 10);
    expect(stolen?.lease_owner).toBe('b');
    // the old owner's late answer cannot move the new owner's schedule
    await store.reschedule(stolen!, 'a', { next_poll_at: new Date(0), failures: 9 });
    expect((await docs())[0]).toMatchObject({ lease_owner: 'b', failures: 0 });
  });

  it('when three replicas claim batches at once until none is due, then each generation is leased to exactly one', async () => {
    for (let i = 0; i < 30; i++)
      await onSubmitted(delivered(jobSubmitted(`b${String(i).padStart(2, '0')}`, { credential })));
    const now = new Date(Date.now() + 1);
    // Racing replicas see the same candidates; the conditional lease gives each to one of them.
    const claimUntilNone = async (owner: string) => {
      const mine: Array<{ job_id: string; lease_owner: string | null }> = [];
      for (
        let got: Awaited<ReturnType<typeof store.claimDue>>;
        (got = await store.claimDue(owner, now, 30_000, 12)).length > 0;
      )
        mine.push(...got);
      return mine;
    };
    const batches = await Promise.all(['a', 'b', 'c'].map(claimUntilNone));
    const ids = batches.flat().map((g) => g.job_id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    const stored = await docs();
    for (const [i, owner] of ['a', 'b', 'c'].entries()) {
      for (const g of batches[i]!) {
        expect(g.lease_owner).toBe(owner);
        expect(stored.find((d) => d.job_id === g.job_id)!.lease_owner).toBe(owner);
      }
    }
  });

  it('when more are due than asked for, then the longest due are leased first', async () => {
    const base = Date.now() - 60_000;
    for (const [i, id] of ['late', 'early', 'middle'].entries()) {
      await onSubmitted(
        delivered(
          jobSubmitted(id, { credential, submitted_at: new Date(base + [30, 10, 20][i]! * 1000).toISOString() }),
        ),
      );
    }
    const got = await store.claimDue('a', new Date(), 30_000, 2);
    expect(got.map((g) => g.job_id)).toEqual(['early', 'middle']);
  });

  it('when a generation is poked by its provider job id, then it is due now', async () => {
    await onSubmitted(
      delivered(jobSubmitted('j1', { credential, submitted_at: new Date(Date.now() + 60_000).toISOString() })),
    );
    expect(await claimAll('a')).toEqual([]);
    expect(await store.pokeNow('pv-j1', new Date())).toBe(1);
    expect(await claimAll('a')).toEqual(['j1']);
    expect(await store.countPolling()).toBe(1);
  });
});
