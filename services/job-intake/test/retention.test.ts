import { jobRequestedData } from '@pixsim/testkit';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData, JobEvent } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { migrateIndexes } from '@pixsim/persistence';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import { createJobRequestedHandler } from '../src/handlers/job-requested.js';
import { createJobStatusHandler } from '../src/handlers/job-status.js';
import { createJobStore } from '../src/store/job-store.js';
import { indexes } from '../src/store/indexes.js';

const DAY = 24 * 3600 * 1000;
const RETENTION_MS = 90 * DAY;

let conn: Connection;
beforeAll(async () => {
  conn = await mongoose
    .createConnection(process.env.MONGODB_URI!, { dbName: `t-intake-retention-${randomUUID().slice(0, 8)}` })
    .asPromise();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const newJobId = () => `job-${randomUUID().slice(0, 8)}`;

const requested = (jobId: string, msAgo: number): EventData<'JOB_REQUESTED'> =>
  jobRequestedData(jobId, { requested_at: iso(msAgo) });
const submitted = (jobId: string, msAgo: number): JobEvent => ({
  type: 'JOB_SUBMITTED',
  data: {
    job_id: jobId,
    user_id: 'u1',
    attempt: 1,
    provider_id: 'pixverse',
    provider_job_id: '7',
    account_id: 'a1',
    credential: { alg: 'A256GCM', kid: 'k1', iv: 'i', tag: 't', ct: 'c' },
    cost: 45,
    duration_sec: 5,
    submitted_at: iso(msAgo),
  },
});
const completed = (jobId: string, msAgo: number): JobEvent => ({
  type: 'JOB_COMPLETED',
  data: {
    job_id: jobId,
    user_id: 'u1',
    provider_id: 'pixverse',
    provider_job_id: '7',
    account_id: 'a1',
    completed_at: iso(msAgo),
    result: { url: 'https://v/7.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 1 },
  },
});
const assetCreated = (jobId: string, msAgo: number): JobEvent => ({
  type: 'ASSET_CREATED',
  data: {
    asset_id: `as-${jobId}`,
    job_id: jobId,
    user_id: 'u1',
    media_type: 'video',
    provider_id: 'pixverse',
    provider_asset_id: '7',
    remote_url: 'https://v/7.mp4',
    width: 1,
    height: 1,
    duration_sec: 5,
    file_size_bytes: 1,
    created_at: iso(msAgo),
  },
});

function setup() {
  const jobs = createJobStore(conn, { retentionMs: RETENTION_MS });
  const published: PublishInput[] = [];
  const dropped: string[] = [];
  const isPurgedReplay = createPurgedReplayCheck({
    jobs,
    retentionMs: RETENTION_MS,
    clock: () => new Date(),
    onDropped: (event) => void dropped.push(`${event.type} ${event.data.job_id}`),
  });
  const onRequested = createJobRequestedHandler({
    jobs,
    publish: async (i) => void published.push(i),
    isPurgedReplay,
  });
  const onStatus = createJobStatusHandler({ jobs, isPurgedReplay });
  return { jobs, published, dropped, onRequested, onStatus };
}

describe('job-intake retention', () => {
  it('when a job ends, then its record gets purge_at the retention after its last event, under a TTL index; a running job never does', async () => {
    await migrateIndexes(conn, indexes);
    const ttl = (await conn.db!.collection('jobs').indexes()).find((i) => i.key.purge_at === 1);
    expect(ttl?.expireAfterSeconds).toBe(0);

    const { jobs, onRequested, onStatus } = setup();
    const running = newJobId();
    await onRequested({ data: requested(running, 60_000) });
    await onStatus(submitted(running, 50_000));
    expect((await jobs.get(running))?.purge_at).toBeNull();

    const ended = newJobId();
    await onRequested({ data: requested(ended, 60_000) });
    await onStatus(submitted(ended, 50_000));
    const end = completed(ended, 40_000);
    await onStatus(end);
    const endedAt = Date.parse((end.data as EventData<'JOB_COMPLETED'>).completed_at);
    expect((await jobs.get(ended))?.purge_at?.getTime()).toBe(endedAt + RETENTION_MS);
    // The asset is recorded after the end: the record lives the retention after it.
    const asset = assetCreated(ended, 30_000);
    await onStatus(asset);
    const assetAt = Date.parse((asset.data as EventData<'ASSET_CREATED'>).created_at);
    expect((await jobs.get(ended))?.purge_at?.getTime()).toBe(assetAt + RETENTION_MS);
    // An older event folded late does not bring the date forward.
    await onStatus(submitted(ended, 55_000));
    expect((await jobs.get(ended))?.purge_at?.getTime()).toBe(assetAt + RETENTION_MS);
  });

  it('when a job is refused at intake, then its record ends with purge_at from the refusal', async () => {
    const { jobs } = setup();
    const refusedJob = newJobId();
    const handler = createJobRequestedHandler({
      jobs,
      publish: async () => {},
      isPurgedReplay: async () => false,
      clock: () => new Date(Date.now() - 1000),
    });
    // A model the provider does not offer: refused by the provider's limits.
    const refusedRequest = requested(refusedJob, 2000);
    await handler({ data: { ...refusedRequest, params: { ...refusedRequest.params, model: 'v0-unknown' } } });
    const record = await jobs.get(refusedJob);
    expect(record?.status).toBe('FAILED');
    expect(record?.purge_at?.getTime()).toBe(Date.parse(record!.facts.terminal!.at) + RETENTION_MS);
  });

  it('when events older than the retention come again for a job whose record was purged, then nothing is recorded or published; fresh ones are', async () => {
    const t = setup();
    const gone = newJobId();
    const old = RETENTION_MS + DAY;
    await t.onRequested({ data: requested(gone, old + 60_000) });
    await t.onStatus(submitted(gone, old + 50_000));
    await t.onStatus(completed(gone, old + 40_000));
    await t.onStatus(assetCreated(gone, old));
    expect(await t.jobs.get(gone)).toBeNull(); // no half record
    expect(t.published).toEqual([]); // no second JOB_CREATED
    expect(t.dropped).toEqual([
      `JOB_REQUESTED ${gone}`,
      `JOB_SUBMITTED ${gone}`,
      `JOB_COMPLETED ${gone}`,
      `ASSET_CREATED ${gone}`,
    ]);

    const fresh = newJobId();
    await t.onRequested({ data: requested(fresh, 1000) });
    expect(await t.jobs.get(fresh)).toMatchObject({ status: 'PENDING' });
    expect(t.published.map((p) => [p.type, (p.data as { job_id: string }).job_id])).toEqual([['JOB_CREATED', fresh]]);
  });

  it('when an old event comes for a job whose record is still there (a job scheduled far ahead), then it is folded as usual', async () => {
    const t = setup();
    const scheduled = newJobId();
    await t.jobs.recordRequest(requested(scheduled, RETENTION_MS + DAY)); // recorded when it first came
    await t.onStatus(submitted(scheduled, RETENTION_MS + DAY / 2));
    expect(await t.jobs.get(scheduled)).toMatchObject({ status: 'PROCESSING' });
    expect(t.dropped).toEqual([]);
  });
});
