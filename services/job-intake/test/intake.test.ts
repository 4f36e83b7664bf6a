import { jobRequestedData } from '@pixsim/testkit';
import { randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyJobEvent, eventIds, initialJobFacts, type EventData, type JobEvent } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { createJobJournal } from '../src/handlers/job-journal.js';
import { createJobRequestedHandler } from '../src/handlers/job-requested.js';
import { createJobStatusHandler } from '../src/handlers/job-status.js';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import { createJobStore, type JobStore } from '../src/store/job-store.js';

let conn: Connection;
beforeAll(async () => {
  conn = await mongoose
    .createConnection(process.env.MONGODB_URI!, { dbName: `t-intake-${randomUUID().slice(0, 8)}` })
    .asPromise();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

const RETENTION_MS = 90 * 24 * 3600 * 1000;
/** Jobs' histories start an hour ago: well inside the retention, so nothing here expires or is taken for a replay. */
const HOUR_AGO = Date.now() - 3600 * 1000;
const ago = (ms: number) => new Date(HOUR_AGO + ms).toISOString();
const openStore = () => createJobStore(conn, { retentionMs: RETENTION_MS });
const replayCheck = (jobs: Pick<JobStore, 'get'>) =>
  createPurgedReplayCheck({ jobs, retentionMs: RETENTION_MS, clock: () => new Date(), onDropped() {} });
const request = (jobId: string, params: Record<string, unknown>): EventData<'JOB_REQUESTED'> =>
  jobRequestedData(jobId, { params: params as EventData<'JOB_REQUESTED'>['params'] });

function setup() {
  const jobs = openStore();
  const published: PublishInput[] = [];
  const handler = createJobRequestedHandler({
    jobs,
    isPurgedReplay: replayCheck(jobs),
    publish: async (i) => void published.push(i),
  });
  return { jobs, published, handler };
}

describe('job-intake', () => {
  it('when a request is within the provider limits, then the job is recorded and JOB_CREATED is published once per delivery with the same id', async () => {
    const { jobs, published, handler } = setup();
    const data = request('job-ok', { prompt: 'a cat surfing', model: 'v5' });
    await handler({ data });
    await handler({ data });
    expect(published.map((p) => [p.type, p.id])).toEqual([
      ['JOB_CREATED', eventIds.jobCreated('job-ok')],
      ['JOB_CREATED', eventIds.jobCreated('job-ok')],
    ]);
    const record = await jobs.get('job-ok');
    expect(record).toMatchObject({ status: 'PENDING', request: { params: { prompt: 'a cat surfing' } } });
  });

  it('when a request names a callback_url, then JOB_CREATED carries it (the gateway rebuilds its view from it); without one, no such field', async () => {
    const { published, handler } = setup();
    await handler({
      data: { ...request('job-cb', { prompt: 'a heron', model: 'v5' }), callback_url: 'https://hooks.example.com/p' },
    });
    await handler({ data: request('job-no-cb', { prompt: 'a heron', model: 'v5' }) });
    expect((published[0]!.data as EventData<'JOB_CREATED'>).callback_url).toBe('https://hooks.example.com/p');
    expect(published[1]!.data).not.toHaveProperty('callback_url');
  });

  it('when a new request is recorded with the event it leads to, then one write holds both and a repeat changes nothing', async () => {
    const { jobs } = setup();
    const data = request('job-one-write', { prompt: 'one write', model: 'v5' });
    const created: JobEvent = { type: 'JOB_CREATED', data: { ...data, created_at: data.requested_at } as never };
    const record = await jobs.recordRequest(data, created);
    expect(record).toMatchObject({ version: 1, status: 'PENDING', request: { params: { prompt: 'one write' } } });
    expect(record.facts).toEqual(applyJobEvent(initialJobFacts(), created));
    expect((await jobs.recordRequest(data, created)).version).toBe(1);
    expect((await jobs.apply('job-one-write', created)).version).toBe(1); // already folded: no write
  });

  it('when the model is unknown or the prompt is 3,000 characters, then the job FAILS with INVALID_PARAMS and is never created', async () => {
    const { jobs, published } = setup();
    const ended: string[] = [];
    const handler = createJobRequestedHandler({
      jobs,
      isPurgedReplay: replayCheck(jobs),
      publish: async (i) => void published.push(i),
      onTerminal: (status, code) => void ended.push(`${status} ${code}`),
    });
    await handler({ data: request('job-bad-model', { prompt: 'x', model: 'v99' }) });
    await handler({ data: request('job-bad-model', { prompt: 'x', model: 'v99' }) }); // redelivered: counted once
    await handler({ data: request('job-long', { prompt: 'p'.repeat(3000) }) });
    expect(published.map((p) => p.type)).toEqual(['JOB_FAILED', 'JOB_FAILED', 'JOB_FAILED']);
    expect(ended).toEqual(['FAILED INVALID_PARAMS', 'FAILED INVALID_PARAMS']);
    expect(published[0]!.data as EventData<'JOB_FAILED'>).toMatchObject({
      error_code: 'INVALID_PARAMS',
      stage: 'intake',
    });
    expect((published[0]!.data as EventData<'JOB_FAILED'>).error_message).toMatch(/params\.model/);
    expect((published[2]!.data as EventData<'JOB_FAILED'>).error_message).toMatch(/params\.prompt/);
    expect((await jobs.get('job-long'))!.status).toBe('FAILED');
  });

  it('when a request breaks the wire shape or names an unknown provider, then it FAILS with INVALID_PARAMS as the gateway would refuse it', async () => {
    const { published, handler } = setup();
    await handler({ data: request('job-no-prompt', { model: 'v5' }) });
    await handler({ data: { ...request('job-no-image', { prompt: 'p' }), operation_type: 'image_to_video' } });
    await handler({ data: { ...request('job-runway', { prompt: 'p' }), provider_id: 'runway' } });
    expect(published.map((p) => [p.type, (p.data as EventData<'JOB_FAILED'>).error_message])).toEqual([
      ['JOB_FAILED', 'params.prompt: Required for text_to_video'],
      ['JOB_FAILED', 'params.image_url: Required for image_to_video'],
      ['JOB_FAILED', 'provider_id: unknown provider runway'],
    ]);
  });

  it('when status events arrive out of order, duplicated and concurrently, then the record ends COMPLETED with every fact', async () => {
    const { jobs } = setup();
    const at = (s: number) => ago(s * 1000);
    const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'i', tag: 't', ct: 'c' };
    const events: JobEvent[] = [
      {
        type: 'JOB_COMPLETED',
        data: {
          job_id: 'job-x',
          user_id: 'u1',
          provider_id: 'pixverse',
          provider_job_id: '77',
          account_id: 'a1',
          completed_at: at(9),
          result: { url: 'https://v/77.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 1 },
        },
      },
      {
        type: 'JOB_SUBMITTED',
        data: {
          job_id: 'job-x',
          user_id: 'u1',
          attempt: 1,
          provider_id: 'pixverse',
          provider_job_id: '77',
          account_id: 'a1',
          credential: sealed,
          cost: 45,
          duration_sec: 5,
          submitted_at: at(2),
        },
      },
      {
        type: 'ASSET_CREATED',
        data: {
          asset_id: 'as1',
          job_id: 'job-x',
          user_id: 'u1',
          media_type: 'video',
          provider_id: 'pixverse',
          provider_asset_id: '77',
          remote_url: 'https://v/77.mp4',
          width: 1,
          height: 1,
          duration_sec: 5,
          file_size_bytes: 1,
          created_at: at(10),
        },
      },
    ];
    await Promise.all([...events, ...events, ...events].map((e) => jobs.apply('job-x', e)));
    const record = await jobs.get('job-x');
    expect(record!.status).toBe('COMPLETED');
    expect(record!.facts).toMatchObject({
      asset_id: 'as1',
      submission: { provider_job_id: '77' },
      terminal: { status: 'COMPLETED' },
    });
    // Three facts, three writes: the six duplicates changed nothing and wrote nothing.
    expect(record!.version).toBe(3);
  });

  it('when two replicas fold events of the same job, then neither overwrites the other through its cache', async () => {
    const a = openStore();
    const b = openStore();
    const at = (s: number) => ago(s * 1000);
    const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'i', tag: 't', ct: 'c' };
    await a.recordRequest(request('job-two', { prompt: 'two replicas' }));
    await b.recordRequest(request('job-two', { prompt: 'two replicas' })); // b now caches the record too
    await a.apply('job-two', {
      type: 'JOB_SUBMITTED',
      data: {
        job_id: 'job-two',
        user_id: 'u1',
        attempt: 1,
        provider_id: 'pixverse',
        provider_job_id: '5',
        account_id: 'a1',
        credential: sealed,
        cost: 45,
        duration_sec: 5,
        submitted_at: at(2),
      },
    });
    // b's cached copy is one version behind: its write must fail the condition, re-read and keep a's fact.
    const done = await b.apply('job-two', {
      type: 'JOB_COMPLETED',
      data: {
        job_id: 'job-two',
        user_id: 'u1',
        provider_id: 'pixverse',
        provider_job_id: '5',
        account_id: 'a1',
        completed_at: at(9),
        result: { url: 'https://v/5.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 1 },
      },
    });
    expect(done.previous.status).toBe('PROCESSING');
    const stored = await a.get('job-two');
    expect(stored!.facts).toMatchObject({ submission: { provider_job_id: '5' }, terminal: { status: 'COMPLETED' } });
    expect(stored!.request).toMatchObject({ params: { prompt: 'two replicas' } });
  });

  it('when a job lives and ends, then the journal logs each step once, redeliveries log nothing, and a failure is a warning with its code', async () => {
    const lines: Array<{ level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string }> = [];
    const journal = createJobJournal({
      info: (fields, msg) =>
        void lines.push({ level: 'info', fields: fields as Record<string, unknown>, msg: msg ?? '' }),
      warn: (fields, msg) =>
        void lines.push({ level: 'warn', fields: fields as Record<string, unknown>, msg: msg ?? '' }),
    });
    const jobs = openStore();
    const intake = createJobRequestedHandler({
      jobs,
      journal,
      isPurgedReplay: replayCheck(jobs),
      publish: async () => {},
    });
    const onStatus = createJobStatusHandler({ jobs, journal, isPurgedReplay: replayCheck(jobs) });
    const data = {
      ...request('job-journal', { prompt: 'a heron', model: 'v5' }),
      requested_at: ago(0),
    };
    const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'i', tag: 't', ct: 'c' };
    const submitted: JobEvent = {
      type: 'JOB_SUBMITTED',
      data: {
        job_id: 'job-journal',
        user_id: 'u1',
        attempt: 2,
        provider_id: 'pixverse',
        provider_job_id: '42',
        account_id: 'a1',
        credential: sealed,
        cost: 45,
        duration_sec: 5,
        submitted_at: ago(1000),
      },
    };
    const completed: JobEvent = {
      type: 'JOB_COMPLETED',
      data: {
        job_id: 'job-journal',
        user_id: 'u1',
        provider_id: 'pixverse',
        provider_job_id: '42',
        account_id: 'a1',
        completed_at: ago(4250),
        result: { url: 'https://v/42.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 1 },
      },
    };
    const asset: JobEvent = {
      type: 'ASSET_CREATED',
      data: {
        asset_id: 'as-42',
        job_id: 'job-journal',
        user_id: 'u1',
        media_type: 'video',
        provider_id: 'pixverse',
        provider_asset_id: '42',
        remote_url: 'https://v/42.mp4',
        width: 1,
        height: 1,
        duration_sec: 5,
        file_size_bytes: 1,
        created_at: ago(5000),
      },
    };
    for (const step of [
      () => intake({ data }),
      () => intake({ data }),
      () => onStatus(submitted),
      () => onStatus(submitted),
      () => onStatus(completed),
      () => onStatus(asset),
      () => onStatus(completed),
    ])
      await step();
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'job created'],
      ['info', 'job submitted to the provider as 42 (attempt 2)'],
      ['info', 'job completed in 4.3 s'],
      ['info', 'asset as-42 stored for the job'],
    ]);
    expect(lines.every((l) => l.fields.job_id === 'job-journal')).toBe(true);
    expect(lines[1]!.fields).toMatchObject({ account_id: 'a1', attempt: 2 });

    lines.length = 0;
    await intake({ data: request('job-journal-bad', { prompt: 'x', model: 'v99' }) });
    await intake({ data: request('job-journal-late', { prompt: 'late', model: 'v5' }) });
    await onStatus({
      type: 'JOB_FAILED',
      data: {
        job_id: 'job-journal-late',
        stage: 'poll',
        error_code: 'TIMEOUT',
        error_message: 'still generating after 3600 s',
        retry_count: 0,
        account_id: 'a1',
        provider_job_id: '43',
        failed_at: new Date().toISOString(),
      },
    });
    expect(lines.map((l) => [l.level, l.fields.job_id, l.fields.error_code ?? null])).toEqual([
      ['warn', 'job-journal-bad', 'INVALID_PARAMS'],
      ['info', 'job-journal-late', null],
      ['warn', 'job-journal-late', 'TIMEOUT'],
    ]);
    expect(lines[2]!.msg).toBe('job failed: TIMEOUT: still generating after 3600 s');
  });
});

describe('which folds linger', () => {
  it("when a status event is folded, then it asks to linger (nothing downstream waits on it); a request's outcome does not", async () => {
    const jobs = openStore();
    const asked: Array<[string, boolean]> = [];
    const watched: JobStore = Object.assign(Object.create(jobs) as JobStore, {
      apply: (jobId: string, event: JobEvent, opts?: { linger?: boolean }) => {
        asked.push([event.type, opts?.linger === true]);
        return jobs.apply(jobId, event, opts);
      },
    });
    const isPurgedReplay = replayCheck(jobs);
    const data = { ...request('job-linger', { prompt: 'a wren', model: 'v5' }), requested_at: ago(0) };
    await createJobRequestedHandler({ jobs: watched, isPurgedReplay, publish: async () => {} })({ data });
    await createJobStatusHandler({ jobs: watched, isPurgedReplay })({
      type: 'JOB_FAILED',
      data: {
        job_id: 'job-linger',
        stage: 'dispatch',
        error_code: 'PROVIDER_FAILED',
        error_message: 'refused',
        retry_count: 0,
        account_id: null,
        provider_job_id: null,
        failed_at: ago(0),
      },
    });
    expect(asked).toEqual([
      ['JOB_CREATED', false],
      ['JOB_FAILED', true],
    ]);
  });
});
