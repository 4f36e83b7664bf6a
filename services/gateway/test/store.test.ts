import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '@pixsim/mongo-dev';
import { migrateIndexes, unservedQueries } from '@pixsim/persistence';
import { commandsOn } from '@pixsim/testkit';
import { indexes } from '../src/store/indexes.js';
import { createJobStore, jobModel } from '../src/store/job-store.js';
import { createJobInsights, jobEventModel } from '../src/store/job-timeline.js';
import { createIdentityStores, sessionModel } from '../src/store/identity-store.js';
import { createIdempotencyStore, idempotencyModel, type IdempotencyRecord } from '../src/store/idempotency-store.js';
import { jobHistory } from './events.js';

const DAY = 86_400_000;

// A server of its own, whose TTL monitor runs every 200 ms instead of every minute.
let server: Awaited<ReturnType<typeof start>>;
let conn: Connection;
beforeAll(async () => {
  server = await start({ port: 0, ttlMonitorMs: 200 });
  conn = await mongoose.createConnection(server.uri, { dbName: `t-gw-store-${randomUUID().slice(0, 8)}` }).asPromise();
  await migrateIndexes(conn, indexes);
});
afterAll(async () => {
  await conn?.close();
  await server?.stop();
});

const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

describe("the gateway's indexes", () => {
  it('when migrated, then every hot query (job lists, job by id, assets by user, callbacks due, keys, emails) is served by an index', async () => {
    const names = indexes.hotQueries.map((q) => q.name);
    for (const hot of [
      'jobs by user',
      'jobs by user and status',
      'jobs by operation',
      'job by id',
      'assets by user',
      'callbacks due',
      'idempotency by user and key',
      'users by email',
    ])
      expect(names).toContain(hot);
    expect((await unservedQueries(conn, indexes)).map((q) => `${q.collection}: ${q.name}`)).toEqual([]);
  });

  it('when migrated twice, then the second run changes nothing', async () => {
    for (const c of await migrateIndexes(conn, indexes)) expect(c).toMatchObject({ created: [], dropped: [] });
  });
});

describe("the read model's cache of job records", () => {
  it('when more jobs are in flight than it holds, then the next event of the least recent one reads its record first', async () => {
    const store = await createJobStore(conn, { cacheSize: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((k) => jobHistory(`cache-${k}-${randomUUID()}`));
    for (const job of [a!, b!, c!]) await store.apply(job.created.job_id, { type: 'JOB_CREATED', data: job.created });
    const collection = jobModel.collection(conn).collectionName;
    const before = await commandsOn(conn, collection);
    await store.apply(c!.created.job_id, { type: 'JOB_SUBMITTED', data: c!.submitted });
    expect(await commandsOn(conn, collection)).toBe(before + 1); // cached: the write only
    const view = await store.apply(a!.created.job_id, { type: 'JOB_SUBMITTED', data: a!.submitted });
    expect(await commandsOn(conn, collection)).toBe(before + 1 + 2); // evicted: a read, then the write
    expect(view).toMatchObject({ status: 'PROCESSING', version: 2 });
  });
});

describe('retention', () => {
  it("when a job ended longer ago than the retention, then its record and its timeline expire; a running job's stay", async () => {
    const store = await createJobStore(conn, { retentionDays: 90 });
    const insights = await createJobInsights(conn, { retentionDays: 90 });
    const t0 = Date.now() - 91 * DAY;
    const old = jobHistory(`old-${randomUUID()}`, t0);
    const running = jobHistory(`run-${randomUUID()}`, t0);
    let last: Awaited<ReturnType<typeof store.apply>> | undefined;
    for (const [i, e] of old.success.entries()) {
      last = await store.apply(old.created.job_id, e);
      await insights.record({
        id: randomUUID(),
        type: e.type,
        at: new Date(t0 + i * 1000).toISOString(),
        data: e.data,
      });
    }
    // Still running, created 91 days ago (a long schedule): nothing of it expires.
    await store.apply(running.created.job_id, { type: 'JOB_CREATED', data: running.created });
    await insights.record({
      id: randomUUID(),
      type: 'JOB_CREATED',
      at: new Date().toISOString(),
      data: running.created,
    });

    // Read from the write itself: the TTL monitor (200 ms here) may already have removed the record.
    expect(last?.purge_at?.getTime()).toBe(Date.parse(old.completed.completed_at) + 90 * DAY);
    expect((await jobModel.collection(conn).findOne({ _id: running.created.job_id }))?.purge_at).toBeNull();

    const jobs = jobModel.collection(conn);
    const rows = jobEventModel.collection(conn);
    expect(await until(async () => (await jobs.countDocuments({ _id: old.created.job_id })) === 0)).toBe(true);
    expect(await until(async () => (await rows.countDocuments({ job_id: old.created.job_id })) === 0)).toBe(true);
    expect(await jobs.countDocuments({ _id: running.created.job_id })).toBe(1);
    expect(await rows.countDocuments({ job_id: running.created.job_id })).toBe(1);
  });

  it('when a session expired more than 7 days ago, then it is removed; one expired a day ago is kept', async () => {
    const stores = await createIdentityStores(conn);
    const now = Date.now();
    const session = (id: string, expires: number) => ({
      _id: id,
      user_id: 'u1',
      created_at: new Date(expires - DAY),
      expires_at: new Date(expires),
      revoked_at: null,
    });
    await stores.sessions.insert(session('s-old', now - 8 * DAY));
    await stores.sessions.insert(session('s-recent', now - DAY));
    const sessions = sessionModel.collection(conn);
    expect(await until(async () => (await sessions.countDocuments({ _id: 's-old' })) === 0)).toBe(true);
    expect(await sessions.countDocuments({ _id: 's-recent' })).toBe(1);
  });
});

describe('idempotency keys at the edge of their window', () => {
  const record = (key: string, createdAt: Date, jobId = randomUUID()): IdempotencyRecord => ({
    _id: jobId,
    user_id: 'u-idem',
    key,
    body_hash: 'h',
    job_id: jobId,
    request: {} as IdempotencyRecord['request'],
    created_at: createdAt,
  });

  it('when the key was first used within 24 h, then the claim answers the first job', async () => {
    const store = await createIdempotencyStore(conn);
    const first = record('k-live', new Date(Date.now() - 23 * 3_600_000));
    await store.claim(first);
    const again = await store.claim(record('k-live', new Date()));
    expect(again).toMatchObject({ claimed: false, existing: { job_id: first.job_id } });
  });

  it('when the key was first used more than 24 h ago and is not swept yet, then the claim makes a new job', async () => {
    const store = await createIdempotencyStore(conn);
    // Past the window, unswept: the TTL monitor has not got to it (inserted straight away, created 25 h ago).
    await store.claim(record('k-stale', new Date(Date.now() - 25 * 3_600_000), randomUUID()));
    const next = record('k-stale', new Date());
    expect(await store.claim(next)).toEqual({ claimed: true });
    expect(await idempotencyModel.collection(conn).findOne({ user_id: 'u-idem', key: 'k-stale' })).toMatchObject({
      job_id: next.job_id,
    });
  });

  it('when the record vanishes between the refused insert and the read, then the claim is made again (never an error)', async () => {
    const store = await createIdempotencyStore(conn);
    await store.claim(record('k-vanish', new Date()));
    const keys = idempotencyModel.collection(conn);
    const findOne = keys.findOne;
    let swept = 0;
    // The sweep lands exactly between the two steps: the insert was refused, then the record is gone.
    keys.findOne = (async (...args: Parameters<typeof findOne>) => {
      if (swept++ === 0) await keys.deleteMany({ key: 'k-vanish' });
      return findOne.apply(keys, args);
    }) as typeof findOne;
    try {
      const next = record('k-vanish', new Date());
      expect(await store.claim(next)).toEqual({ claimed: true });
      expect(swept).toBe(1);
      expect(await keys.countDocuments({ key: 'k-vanish', job_id: next.job_id })).toBe(1);
    } finally {
      keys.findOne = findOne;
    }
  });
});
