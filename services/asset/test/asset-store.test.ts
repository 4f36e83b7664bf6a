import type { Connection } from 'mongoose';
import { openTestDb, type TestDb } from '@pixsim/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Asset } from '../src/asset.js';
import { openAssetStore } from '../src/store/asset-store.js';
import { RETENTION_MS } from './helpers.js';

let testDb: TestDb;
let db: Connection;
beforeAll(async () => {
  testDb = await openTestDb('asset-store');
  db = testDb.conn;
});
afterAll(() => testDb.drop());

const asset = (jobId: string, assetId: string): Asset => ({
  asset_id: assetId,
  job_id: jobId,
  user_id: 'u1',
  media_type: 'video',
  provider_id: 'pixverse',
  provider_asset_id: `pv-${jobId}`,
  remote_url: `https://cdn.example/${jobId}.mp4`,
  width: 1280,
  height: 720,
  duration_sec: 5,
  file_size_bytes: 1000,
  created_at: new Date(),
});

describe('asset store', () => {
  it('when two deliveries of one job insert at once, then both get the one stored asset', async () => {
    const store = await openAssetStore(db, { retentionMs: RETENTION_MS });
    const [a, b] = await Promise.all([
      store.createOnce(asset('job-race', 'asset-r1')),
      store.createOnce(asset('job-race', 'asset-r2')),
    ]);
    expect(a.asset_id).toBe(b.asset_id);
    expect(await db.collection('assets').countDocuments({ job_id: 'job-race' })).toBe(1);
  });

  it('when the minted asset id is taken by another job, then the asset is stored under a fresh id', async () => {
    const ids = ['asset-fresh'];
    const store = await openAssetStore(db, { newId: () => ids.shift()!, retentionMs: RETENTION_MS });
    await store.createOnce(asset('job-1', 'asset-taken'));
    const stored = await store.createOnce(asset('job-2', 'asset-taken'));
    expect(stored).toMatchObject({ job_id: 'job-2', asset_id: 'asset-fresh' });
  });

  it('when the asset id is taken and no fresh one can be minted, then the write fails rather than answering nothing', async () => {
    const store = await openAssetStore(db, { retentionMs: RETENTION_MS });
    await store.createOnce(asset('job-3', 'asset-dup'));
    await expect(store.createOnce(asset('job-4', 'asset-dup'))).rejects.toMatchObject({ code: 11000 });
  });
});
