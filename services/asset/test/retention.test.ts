import type { Connection } from 'mongoose';
import { delivered, openTestDb, type TestDb } from '@pixsim/testkit';
import { migrateIndexes } from '@pixsim/persistence';
import type { PublishInput } from '@pixsim/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssetHandler } from '../src/handlers/job-completed.js';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import { openAssetStore } from '../src/store/asset-store.js';
import { indexes } from '../src/store/indexes.js';
import { jobCompleted, RETENTION_MS } from './helpers.js';

const DAY = 24 * 3600 * 1000;

let testDb: TestDb;
let db: Connection;
beforeAll(async () => {
  testDb = await openTestDb('asset-retention');
  db = testDb.conn;
});
afterAll(() => testDb.drop());

async function setup() {
  const store = await openAssetStore(db, { retentionMs: RETENTION_MS });
  const published: PublishInput<'ASSET_CREATED'>[] = [];
  const dropped: string[] = [];
  const clock = () => new Date();
  let n = 0;
  const handler = createAssetHandler({
    store,
    publish: async (input) => void published.push(input),
    clock,
    newId: () => `asset-${Date.now()}-${++n}`,
    isPurgedReplay: createPurgedReplayCheck({
      store,
      retentionMs: RETENTION_MS,
      clock,
      onDropped: (job) => void dropped.push(job.job_id),
    }),
  });
  return { store, published, dropped, handler };
}

/** A JOB_COMPLETED whose job completed `msAgo` ago. */
const completedAgo = (jobId: string, msAgo: number) => {
  const event = jobCompleted(jobId);
  event.data.completed_at = new Date(Date.now() - msAgo).toISOString();
  return event;
};

describe('asset retention', () => {
  it('when an asset is recorded, then it expires the job retention after it was made, under a TTL index', async () => {
    await migrateIndexes(db, indexes);
    const ttl = (await db.collection('assets').indexes()).find((i) => i.key.purge_at === 1);
    expect(ttl?.expireAfterSeconds).toBe(0);
    const t = await setup();
    await t.handler(delivered(completedAgo('job-kept', 10_000)));
    const stored = await db.collection('assets').findOne({ job_id: 'job-kept' });
    expect(stored?.purge_at.getTime()).toBe(stored?.created_at.getTime() + RETENTION_MS);
    // What the store answers is the asset alone.
    expect(await t.store.get('job-kept')).not.toHaveProperty('purge_at');
  });

  it('when a JOB_COMPLETED older than the retention comes again after its asset expired, then no asset is made and nothing is announced; a fresh one is', async () => {
    const t = await setup();
    await expect(t.handler(delivered(completedAgo('job-gone', RETENTION_MS + DAY)))).resolves.toBeUndefined();
    expect(await t.store.get('job-gone')).toBeNull();
    expect(t.published).toEqual([]);
    expect(t.dropped).toEqual(['job-gone']);

    await t.handler(delivered(completedAgo('job-fresh', 10_000)));
    expect(await t.store.get('job-fresh')).toMatchObject({ job_id: 'job-fresh' });
    expect(t.published.map((p) => p.data.job_id)).toEqual(['job-fresh']);
  });

  it('when an old JOB_COMPLETED comes again while its asset is still there, then the asset is announced again, unchanged', async () => {
    const t = await setup();
    const first = await t.store.createOnce({
      asset_id: 'asset-old',
      job_id: 'job-old-kept',
      user_id: 'user-1',
      media_type: 'video',
      provider_id: 'pixverse',
      provider_asset_id: 'pv-job-old-kept',
      remote_url: 'https://media.example/job-old-kept.mp4',
      width: null,
      height: null,
      duration_sec: null,
      file_size_bytes: null,
      created_at: new Date(),
    });
    await t.handler(delivered(completedAgo('job-old-kept', RETENTION_MS + DAY)));
    expect(t.dropped).toEqual([]);
    expect(t.published.map((p) => p.data.asset_id)).toEqual([first.asset_id]);
  });
});
