import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '@pixsim/pixverse-sim';
import { createPixverseProvider, type VideoProvider } from '@pixsim/providers';
import { buildPoller as build, type PollerDeps } from '../src/main.js';
import { jobSubmitted, sealForPoller, testEnv } from './helpers.js';

const API_KEY = 'sim-key-1';
const PARAMS = { model: 'v5', quality: '540p', duration: 5, aspect_ratio: '16:9' };

type Env = Awaited<ReturnType<typeof testEnv>>;
let env: Env | undefined;
let sim: Simulator | undefined;
const providers: VideoProvider[] = [];

afterEach(async () => {
  await env?.cleanup();
  for (const p of providers.splice(0)) await p.close();
  await sim?.stop();
  env = undefined;
  sim = undefined;
});

/** The poller on a replica's context, with a provider client of its own (closed after the test) unless one is given. */
async function buildPoller(ctx: Parameters<typeof build>[0], deps: Partial<PollerDeps> = {}): ReturnType<typeof build> {
  const provider = deps.provider ?? createPixverseProvider({ baseUrl: ctx.config.PIXVERSE_BASE_URL });
  if (!deps.provider) providers.push(provider);
  return build(ctx, { provider, clock: () => new Date(), owner: deps.owner ?? `test-${providers.length}` });
}

async function setup(envVars: Record<string, string> = {}) {
  sim = await startSimulator({
    port: 0,
    latencyMs: 300,
    accounts: [{ apiKey: API_KEY, credits: 1_000_000, maxConcurrent: 1_000 }],
  });
  env = await testEnv({ PIXVERSE_BASE_URL: sim.url, ...envVars });
  const provider = createPixverseProvider({ baseUrl: sim.url });
  providers.push(provider);
  const credential = sealForPoller(API_KEY);
  /** Submits to the simulator as the dispatcher would and publishes JOB_SUBMITTED. */
  const submit = async (jobId: string, prompt = `a cat ${jobId}`) => {
    const { providerJobId } = await provider.submit(
      { apiKey: API_KEY },
      { jobId, operationType: 'text_to_video', params: { prompt, ...PARAMS } },
    );
    const event = jobSubmitted(jobId, { credential, provider_job_id: providerJobId });
    await env!.publisher.publish(event);
    return event;
  };
  return { env, sim, provider, submit };
}

/** A provider of its own per replica (as in production), reporting overlapping polls of one generation. */
function tracked(
  baseUrl: string,
  active: Map<string, number>,
  overlaps: string[],
  calls: { n: number },
): VideoProvider {
  const inner = createPixverseProvider({ baseUrl });
  providers.push(inner);
  return {
    ...inner,
    async status(creds, providerJobId, opts) {
      calls.n++;
      const now = (active.get(providerJobId) ?? 0) + 1;
      active.set(providerJobId, now);
      if (now > 1) overlaps.push(providerJobId);
      try {
        return await inner.status(creds, providerJobId, opts);
      } finally {
        active.set(providerJobId, active.get(providerJobId)! - 1);
      }
    },
  };
}

describe('poller against Redis, MongoDB and the PixVerse simulator', () => {
  it('when JOB_SUBMITTED is published, then JOB_COMPLETED follows with the video, and a redelivery adds nothing', async () => {
    const { env, submit } = await setup();
    const poller = await buildPoller(await env.replica());
    await env.startConsumers(poller);
    await poller.start();
    const event = await submit('job-1');
    await env.publisher.publish(event); // the same event again, as a redelivery would bring it

    await expect.poll(() => env.events('JOB_COMPLETED'), { timeout: 10_000 }).toHaveLength(1);
    const [completed] = await env.events('JOB_COMPLETED');
    expect(completed).toMatchObject({
      id: 'job-1:JOB_COMPLETED',
      data: {
        job_id: 'job-1',
        user_id: 'user-1',
        provider_id: 'pixverse',
        provider_job_id: event.data.provider_job_id,
        account_id: 'acct-1',
        result: {
          url: expect.stringMatching(/^https:\/\/.+\.mp4$/),
          width: expect.any(Number),
          height: expect.any(Number),
          duration_sec: 5,
        },
      },
    });
    expect(completed!.data.result.file_size_bytes).toBeGreaterThan(0);
    // Marked done right after its event is out (in a bulkWrite shared with other ends): it may trail the event briefly.
    await expect
      .poll(() => env.db().collection('generations').find({}).toArray(), { timeout: 2_000, interval: 20 })
      .toMatchObject([{ status: 'done', end_reason: 'completed' }]);
  });

  it('when a replica records JOB_SUBMITTED, then it holds the generation leased and polls it without a claim', async () => {
    // Claims a minute apart: the first at start finds nothing, the next comes long after the test.
    const { env, submit } = await setup({ POLL_TICK_MS: '60000' });
    const poller = await buildPoller(await env.replica(), { owner: 'replica-a' });
    await env.startConsumers(poller);
    await poller.start();
    await submit('job-q');
    await expect.poll(() => env.events('JOB_COMPLETED'), { timeout: 10_000 }).toHaveLength(1);
  });

  it('when the replica that recorded a generation dies, then another claims it once its lease has run out and finishes it', async () => {
    const { env, submit } = await setup({ LEASE_MS: '3000' });
    // Its consumers record and lease; its loop never runs, as if it died right after.
    const dead = await buildPoller(await env.replica(), { owner: 'replica-dead' });
    await env.startConsumers(dead, 'replica-dead');
    await submit('job-d');
    await expect
      .poll(() => env.db().collection('generations').findOne({ job_id: 'job-d' }), { timeout: 5_000 })
      .toMatchObject({ status: 'polling', lease_owner: 'replica-dead' });
    const { lease_until: leaseUntil } = (await env.db().collection('generations').findOne({ job_id: 'job-d' }))!;
    const other = await buildPoller(await env.replica(), { owner: 'replica-b' });
    await other.start();
    await expect.poll(() => env.events('JOB_COMPLETED'), { timeout: 10_000 }).toHaveLength(1);
    const [completed] = await env.events('JOB_COMPLETED');
    expect(Date.parse(completed!.data.completed_at)).toBeGreaterThanOrEqual(leaseUntil.getTime());
  });

  it('when the provider fails the generation, then JOB_FAILED PROVIDER_FAILED is published', async () => {
    const { env, submit } = await setup();
    const poller = await buildPoller(await env.replica());
    await env.startConsumers(poller);
    await poller.start();
    await submit('job-f', 'a cat [sim:fail]');
    await expect.poll(() => env.events('JOB_FAILED'), { timeout: 10_000 }).toHaveLength(1);
    expect((await env.events('JOB_FAILED'))[0]).toMatchObject({
      id: 'job-f:JOB_FAILED',
      data: { job_id: 'job-f', stage: 'poll', error_code: 'PROVIDER_FAILED', retry_count: 0, account_id: 'acct-1' },
    });
    expect(await env.events('JOB_COMPLETED')).toEqual([]);
  });

  it('when two replicas share one database, then no generation is polled by both at once and together they finish all 200', async () => {
    const { env, sim, submit } = await setup();
    const active = new Map<string, number>();
    const overlaps: string[] = [];
    const calls = [{ n: 0 }, { n: 0 }];
    for (const [i, c] of calls.entries()) {
      const poller = await buildPoller(await env.replica(), {
        provider: tracked(sim.url, active, overlaps, c),
        owner: `replica-${i}`,
      });
      await env.startConsumers(poller, `replica-${i}`);
      await poller.start();
    }
    const jobs = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    for (let i = 0; i < jobs.length; i += 50) await Promise.all(jobs.slice(i, i + 50).map((j) => submit(j)));

    await expect
      .poll(async () => new Set((await env.events('JOB_COMPLETED')).map((e) => e.data.job_id)).size, {
        timeout: 25_000,
        interval: 200,
      })
      .toBe(200);
    expect(overlaps).toEqual([]);
    expect(calls[0]!.n).toBeGreaterThan(0);
    expect(calls[1]!.n).toBeGreaterThan(0);
    // Each generation ends right after its event is published (publish, then end), so the last may trail it briefly.
    await expect
      .poll(() => env.db().collection('generations').countDocuments({ status: 'polling' }), {
        timeout: 5_000,
        interval: 100,
      })
      .toBe(0);
  }, 40_000);

  it('when the provider is down for longer than JOB_TIMEOUT_S, then the job fails with TIMEOUT instead of polling forever', async () => {
    const { env, sim, submit } = await setup({ JOB_TIMEOUT_S: '2' });
    const replica = await env.replica();
    const poller = await buildPoller(replica);
    await env.startConsumers(poller);
    await poller.start();
    await submit('job-t');
    sim.setFaults({ outage: true });

    await expect.poll(() => env.events('JOB_FAILED'), { timeout: 10_000 }).toHaveLength(1);
    const [failed] = await env.events('JOB_FAILED');
    expect(failed).toMatchObject({ data: { job_id: 'job-t', error_code: 'TIMEOUT', stage: 'poll' } });
    const submittedAt = Date.parse((await env.events('JOB_SUBMITTED'))[0]!.data.submitted_at);
    expect(Date.parse(failed!.data.failed_at) - submittedAt).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(failed!.data.failed_at) - submittedAt).toBeLessThan(5_000);
    // The end is marked done behind the publish (a batched write): wait for it.
    await expect
      .poll(() => env.db().collection('generations').findOne({ job_id: 'job-t' }), { timeout: 5_000 })
      .toMatchObject({ status: 'done', end_reason: 'timeout' });
    const metrics = await replica.registry.metrics();
    expect(metrics).toMatch(/pixsim_poll_errors_total\{kind="unavailable",service="poller"\} [1-9]/);
    expect(metrics).toMatch(/pixsim_polls_total\{outcome="timeout",service="poller"\} 1/);
  });
});
