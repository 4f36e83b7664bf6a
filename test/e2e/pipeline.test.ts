import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { jobRequestedData, REDIS_URL, sleep } from '@pixsim/testkit';
import { createPublisher } from '@pixsim/bus';
import { createKeys, eventIds } from '@pixsim/contracts';
import { useTestSystem } from '../harness/system.js';
import { allAssets, submitJob, submitMany, waitForAssets } from './helpers.js';

describe('the pipeline, end to end (five services as processes)', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 400, accounts: [{ apiKey: 'sim-key-pipeline', credits: 10_000_000, maxConcurrent: 200 }] },
    env: { POLL_INTERVAL_S: '1', MAX_JOBS: '50' },
  });

  it('when 500 jobs are submitted at once, then all reach COMPLETED with an asset and each generation was submitted exactly once', async () => {
    const sys = system();
    const ids = await submitMany(sys, 500, 'a cat surfing');
    const jobs = await sys.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
    expect(jobs.filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual([]);
    await waitForAssets(sys, ids);
    const assets = (await allAssets(sys)).filter((a) => ids.includes(a.job_id));
    expect(assets).toHaveLength(500);
    expect(new Set(assets.map((a) => a.job_id)).size).toBe(500);
    const stats = await sys.simStats();
    expect(stats.total_submissions).toBe(500);
    expect(stats.duplicates).toBe(0);
    // The system's count of the account's credits is the provider's: read at creation, then charged per submit.
    await expect
      .poll(
        async () => (await sys.api('GET', '/api/v1/accounts')).body.items.map((a: { credits: number }) => a.credits),
        { timeout: 10_000 },
      )
      .toEqual(Object.values(stats.credits));
  });

  it('when the provider fails or moderates a generation, then the job FAILS with the matching code', async () => {
    const sys = system();
    const [failed, moderated, rejected] = await Promise.all([
      submitJob(sys, 'a storm [sim:fail]'),
      submitJob(sys, 'a storm [sim:moderate]'),
      submitJob(sys, 'a storm [sim:reject]'),
    ]);
    expect(await sys.waitForJob(failed)).toMatchObject({ status: 'FAILED', error_code: 'PROVIDER_FAILED' });
    expect(await sys.waitForJob(moderated)).toMatchObject({ status: 'FAILED', error_code: 'PROVIDER_MODERATION' });
    expect(await sys.waitForJob(rejected)).toMatchObject({ status: 'FAILED', error_code: 'PROVIDER_MODERATION' });
  });

  it('when the model is invalid or the prompt has 3,000 characters, then the request is refused with INVALID_PARAMS naming the field', async () => {
    const sys = system();
    const badModel = await sys.api('POST', '/api/v1/jobs', {
      operation_type: 'text_to_video',
      params: { prompt: 'x', model: 'v99' },
    });
    const longPrompt = await sys.api('POST', '/api/v1/jobs', {
      operation_type: 'text_to_video',
      params: { prompt: 'p'.repeat(3000) },
    });
    for (const [res, field] of [
      [badModel, 'params.model'],
      [longPrompt, 'params.prompt'],
    ] as const) {
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_PARAMS');
      expect(JSON.stringify(res.body.error.details)).toContain(field);
    }
  });

  it('when a request that breaks the provider limits reaches job-intake past the gateway, then the job FAILS with INVALID_PARAMS and is never submitted', async () => {
    const sys = system();
    // As a gateway of another version might send it: job-intake checks the provider's limits again.
    const redis = new Redis(REDIS_URL);
    const jobId = `bypass-${randomUUID()}`;
    try {
      const before = (await sys.simStats()).total_submissions;
      await createPublisher({ redis, keys: createKeys(sys.prefix) }).publish({
        type: 'JOB_REQUESTED',
        id: eventIds.jobRequested(jobId),
        data: jobRequestedData(jobId, { user_id: 'admin', params: { prompt: 'x', model: 'v99' } }),
      });
      // The gateway never recorded this job (it did not take the POST); job-intake's JOB_FAILED says what happened.
      const keys = createKeys(sys.prefix);
      const eventOf = async (type: 'JOB_FAILED' | 'JOB_CREATED') => {
        for (const stream of keys.streams(type)) {
          for (const [, fields] of await redis.xrange(stream, '-', '+')) {
            const data = JSON.parse(fields[fields.indexOf('data') + 1]!) as { job_id: string; error_code?: string };
            if (data.job_id === jobId) return data;
          }
        }
        return null;
      };
      await expect
        .poll(() => eventOf('JOB_FAILED'), { timeout: 30_000, interval: 250 })
        .toMatchObject({ error_code: 'INVALID_PARAMS' });
      // Refused at intake: the job was never created, so no dispatcher could take it.
      expect(await eventOf('JOB_CREATED')).toBeNull();
      await sleep(1_000);
      expect((await sys.simStats()).total_submissions).toBe(before);
    } finally {
      redis.disconnect();
    }
  });

  it('when jobs are cancelled right after they are submitted, then every one ends CANCELLED, whichever service the cancel finds it in', async () => {
    const sys = system();
    const ids = await submitMany(sys, 20, 'a heron, never mind');
    const cancels = await Promise.all(ids.map((id) => sys.api('DELETE', `/api/v1/jobs/${id}`)));
    expect(cancels.map((c) => c.status)).toEqual(ids.map(() => 202));
    const jobs = await sys.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 60_000);
    expect(jobs.filter((j) => j.status !== 'CANCELLED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual([]);
    const assets = (await allAssets(sys)).filter((a) => ids.includes(a.job_id));
    expect(assets).toEqual([]);
    // Every slot a cancelled job held is back.
    await expect
      .poll(
        async () =>
          (await sys.api('GET', '/api/v1/accounts')).body.items.map((a: { in_flight: number }) => a.in_flight),
        { timeout: 10_000 },
      )
      .toEqual([0]);
  });
});
