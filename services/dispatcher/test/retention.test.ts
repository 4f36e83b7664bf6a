import { randomUUID } from 'node:crypto';
import { migrateIndexes } from '@pixsim/persistence';
import { describe, expect, it } from 'vitest';
import type { EventData } from '@pixsim/contracts';
import { createJobCreatedHandler } from '../src/handlers/job-created.js';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import { indexes } from '../src/store/indexes.js';
import { clock, jobCreatedData, RETENTION_MS, useDispatchWorld } from './world.js';

const world = useDispatchWorld('t-retention');
const DAY = 24 * 3600 * 1000;

/** purge_at is the retention after the moment of the write, which happened between `from` and now. */
function expectPurgeAfterRetention(purgeAt: Date | null | undefined, from: number): void {
  expect(purgeAt, 'purge_at is set').toBeInstanceOf(Date);
  expect(purgeAt!.getTime()).toBeGreaterThanOrEqual(from + RETENTION_MS);
  expect(purgeAt!.getTime()).toBeLessThanOrEqual(Date.now() + RETENTION_MS);
}

async function setup() {
  const parts = await world.dispatchParts();
  const dropped: string[] = [];
  const handler = createJobCreatedHandler({
    ...parts,
    provider: world.provider(),
    backlog: () => 0,
    kickScanner() {},
    accountChanged() {},
    isPurgedReplay: createPurgedReplayCheck({
      submissions: parts.submissions,
      retentionMs: RETENTION_MS,
      clock,
      onDropped: (job) => void dropped.push(job.job_id),
    }),
    clock,
  });
  await world.addAccount(parts.accounts, 'a1', { simCredits: 100_000, max: 5 });
  return { ...parts, handler, dropped };
}

describe('submission retention', () => {
  it('when a job settles (done, failed, cancelled, or a tombstone is left), then its submission gets purge_at the retention later, under a TTL index', async () => {
    const { submissions, conn } = await setup();
    // The migration builds the TTL index MongoDB expires the records by.
    await migrateIndexes(conn, indexes);
    const ttl = (await conn.db!.collection('submissions').indexes()).find((i) => i.key.purge_at === 1);
    expect(ttl?.expireAfterSeconds).toBe(0);
    const from = Date.now();

    const done = jobCreatedData();
    const doneToken = randomUUID();
    const doneIntent = await submissions.ensure(done, new Date(), null, doneToken, 'a1');
    await submissions.markSubmitted(doneIntent, doneToken, 'p1', 10);
    expectPurgeAfterRetention((await submissions.release(done.job_id))?.purge_at, from);

    const failed = jobCreatedData();
    const failedToken = randomUUID();
    await submissions.ensure(failed, new Date(), null, failedToken);
    const failedDoc = await submissions.fail(failed.job_id, failedToken, 'RETRIES_EXHAUSTED', 'no');
    expectPurgeAfterRetention(failedDoc?.purge_at, from);

    const cancelled = jobCreatedData();
    await submissions.ensure(cancelled, new Date());
    expectPurgeAfterRetention((await submissions.requestCancel(cancelled.job_id, new Date()))?.purge_at, from);

    const unseen = `job-${randomUUID().slice(0, 8)}`;
    await submissions.requestCancel(unseen, new Date());
    const tombstone = await submissions.get(unseen);
    expect(tombstone?.state).toBe('cancel_requested');
    expectPurgeAfterRetention(tombstone?.purge_at, from);
  });

  it('when a job is not settled (waiting, claimed, submitting, submitted, flagged for a cancel), then its submission has no purge_at', async () => {
    const { submissions } = await setup();
    const waiting = jobCreatedData({ scheduled_at: new Date(Date.now() + 60 * DAY).toISOString() });
    await submissions.ensure(waiting, new Date());
    const claimed = jobCreatedData();
    const claimToken = randomUUID();
    await submissions.ensure(claimed, new Date(), null, claimToken);
    await submissions.requestCancel(claimed.job_id, new Date()); // flagged: its owner cancels it later
    const submitting = jobCreatedData();
    await submissions.ensure(submitting, new Date(), null, randomUUID(), 'a1');
    const submitted = jobCreatedData();
    const submittedToken = randomUUID();
    const submittedIntent = await submissions.ensure(submitted, new Date(), null, submittedToken, 'a1');
    await submissions.markSubmitted(submittedIntent, submittedToken, 'p2', 10);

    for (const [job, state] of [
      [waiting, 'waiting'],
      [claimed, 'claimed'],
      [submitting, 'submitting'],
      [submitted, 'submitted'],
    ] as const) {
      const doc = await submissions.get(job.job_id);
      expect(doc?.state).toBe(state);
      expect(doc?.purge_at ?? null, state).toBeNull();
    }
  });

  it('when a JOB_CREATED older than the retention comes again after its submission was purged, then it is acknowledged without a provider call, while a fresh one is submitted', async () => {
    const t = await setup();
    const before = await world.submittedAtSim();
    const old: EventData<'JOB_CREATED'> = jobCreatedData({
      created_at: new Date(Date.now() - RETENTION_MS - DAY).toISOString(),
    });
    await expect(t.handler({ data: old })).resolves.toBeUndefined(); // acknowledged
    expect(await t.submissions.get(old.job_id)).toBeNull(); // no half record either
    expect(t.published).toEqual([]);
    expect(t.dropped).toEqual([old.job_id]);
    expect(await world.submittedAtSim()).toBe(before);

    const fresh = jobCreatedData();
    await t.handler({ data: fresh });
    expect(await t.submissions.get(fresh.job_id)).toMatchObject({ state: 'submitted' });
    expect(await world.submittedAtSim()).toBe(before + 1);
    expect(t.dropped).toEqual([old.job_id]);
  });

  it('when an old JOB_CREATED still has its submission (a job scheduled far ahead, redelivered), then it is handled as usual', async () => {
    const t = await setup();
    const old = jobCreatedData({ created_at: new Date(Date.now() - RETENTION_MS - DAY).toISOString() });
    await t.submissions.ensure(old, new Date()); // recorded when it first came, waiting since
    const before = await world.submittedAtSim();
    await t.handler({ data: old });
    expect(t.dropped).toEqual([]);
    expect(await t.submissions.get(old.job_id)).toMatchObject({ state: 'submitted' });
    expect(await world.submittedAtSim()).toBe(before + 1);
  });
});
