import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { commandsOn, openTestDb, type TestDb } from '@pixsim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubmissionStore } from '../src/store/submission-store.js';
import { clock, jobCreatedData, RETENTION_MS } from './world.js';

let db: TestDb;
let conn: Connection;
beforeAll(async () => {
  db = await openTestDb('t-submissions');
  conn = db.conn;
});
afterAll(() => db.drop());

describe('submission store', () => {
  it('when many jobs arrive and are submitted at once, then each record is as stored, and a lost claim is refused', async () => {
    const submissions = createSubmissionStore(conn, { clock, retentionMs: RETENTION_MS });
    const now = new Date();
    const jobs = Array.from({ length: 30 }, () => jobCreatedData());
    const tokens = jobs.map(() => randomUUID());
    const intents = await Promise.all(jobs.map((job, i) => submissions.ensure(job, now, null, tokens[i], 'a1')));
    // A redelivery finds the record as the first arrival left it.
    expect(await submissions.ensure(jobs[0]!, now, null, randomUUID(), 'a2')).toEqual(intents[0]);
    // The scanner takes the last job over as stale: its first owner's submit must not land.
    const thief = randomUUID();
    expect(await submissions.claim(jobs[29]!.job_id, thief, now, new Date(now.getTime() + 1))).not.toBeNull();
    const marked = await Promise.all(
      intents.map((intent, i) => submissions.markSubmitted(intent, tokens[i]!, `p${i}`, 5)),
    );
    expect(marked[29]).toBeNull();
    for (const [i, job] of jobs.slice(0, 29).entries()) {
      const stored = await submissions.get(job.job_id);
      expect(marked[i]).toEqual(stored);
      expect(stored).toMatchObject({
        state: 'submitted',
        provider_job_id: `p${i}`,
        account_id: 'a1',
        announced: false,
      });
    }
    expect(await submissions.get(jobs[29]!.job_id)).toMatchObject({ state: 'claimed', claim_token: thief });
  });

  it('when a cancel and its JOB_CREATED arrive at the same moment (60 pairs), then no cancel is lost', async () => {
    const submissions = createSubmissionStore(conn, { clock, retentionMs: RETENTION_MS });
    const now = new Date();
    const jobs = Array.from({ length: 60 }, () => jobCreatedData());
    const tokens = jobs.map(() => randomUUID());
    await Promise.all(
      jobs.flatMap((job, i) => [
        // Claimed on arrival, as a dispatcher with an empty backlog creates it.
        submissions.ensure(job, now, null, tokens[i]),
        submissions.requestCancel(job.job_id, now),
      ]),
    );
    for (const [i, job] of jobs.entries()) {
      const doc = await submissions.get(job.job_id);
      // Either JOB_CREATED met the tombstone, or the record carries the flag its owner obeys.
      const seen = doc?.state === 'cancel_requested' || doc?.state === 'cancelled' || doc?.cancel_requested_at != null;
      expect(seen, `job ${i} (${doc?.state})`).toBe(true);
      // And the owner cannot record a submit intent for it: the provider is never called.
      if (doc?.state === 'claimed') {
        expect(await submissions.recordIntent(job.job_id, tokens[i]!, 'a1', now)).toBeNull();
      }
    }
  });

  it('when a cancel comes for a job already submitted, then nothing changes and no tombstone appears', async () => {
    const submissions = createSubmissionStore(conn, { clock, retentionMs: RETENTION_MS });
    const job = jobCreatedData();
    const token = randomUUID();
    const intent = await submissions.ensure(job, new Date(), null, token, 'a1');
    await submissions.markSubmitted(intent, token, 'p1', 10);
    expect(await submissions.requestCancel(job.job_id, new Date())).toBeNull();
    const doc = await submissions.get(job.job_id);
    expect(doc?.state).toBe('submitted');
    expect(doc?.cancel_requested_at ?? null).toBeNull();
  });
});

describe('announced marks', () => {
  it('when outcomes are marked announced a few ms apart, then the marks share one round trip and all land', async () => {
    const submissions = createSubmissionStore(conn, { clock, retentionMs: RETENTION_MS });
    const now = new Date();
    const jobs = Array.from({ length: 4 }, () => jobCreatedData());
    const tokens = jobs.map(() => randomUUID());
    const intents = await Promise.all(jobs.map((job, i) => submissions.ensure(job, now, null, tokens[i], 'a1')));
    await Promise.all(intents.map((intent, i) => submissions.markSubmitted(intent, tokens[i]!, `p${i}`, 5)));
    const name = conn.model('Submission').collection.collectionName;
    const before = await commandsOn(conn, name);
    const marks: Promise<void>[] = [];
    for (const job of jobs) {
      marks.push(submissions.markAnnounced(job.job_id));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(marks);
    expect(await commandsOn(conn, name)).toBe(before + 1);
    for (const job of jobs) expect(await submissions.get(job.job_id)).toMatchObject({ announced: true });
  });
});
