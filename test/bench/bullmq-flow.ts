/**
 * The end-to-end flow built the way a BullMQ user would, for the end-to-end benchmark:
 *
 *   node --import tsx test/bench/bullmq-flow.ts route    # fastify: POST /api/v1/jobs → queue "intake"
 *   node --import tsx test/bench/bullmq-flow.ts worker   # one process, four queues: intake → dispatch → poll → asset
 *
 * Same simulator, same kind of MongoDB writes as pixsim's services: the job record
 * (created, processing, completed with its asset), the account's in-flight counter
 * (conditional $inc to reserve, $inc -1 to release), the submission record, the asset.
 * Environment: REDIS_URL, MONGODB_URI, MONGODB_DB, FLOW_PREFIX, PORT (route), FLOW_TOKEN,
 * SIM_URL, SIM_KEY, FLOW_CONCURRENCY (per queue), POLL_INTERVAL_MS.
 * Prints "ready <url or worker>" once it accepts work; stops on SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
const redisUrl = new URL(env('REDIS_URL', 'redis://127.0.0.1:6379'));
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379), maxRetriesPerRequest: null };
const prefix = env('FLOW_PREFIX');
const opts = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 5,
  backoff: { type: 'exponential', delay: 200 },
} as const;

async function route(): Promise<void> {
  const token = env('FLOW_TOKEN');
  const intake = new Queue('intake', { connection, prefix });
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.post('/api/v1/jobs', async (req, reply) => {
    if (req.headers.authorization !== `Bearer ${token}`)
      return reply.code(401).send({ error: { code: 'UNAUTHORIZED' } });
    const body = req.body as { operation_type?: unknown; params?: { prompt?: unknown } } | null;
    if (body?.operation_type !== 'text_to_video' || typeof body.params?.prompt !== 'string') {
      return reply.code(400).send({ error: { code: 'VALIDATION_FAILED' } });
    }
    const id = randomUUID();
    const requestedAt = new Date().toISOString();
    await intake.add('intake', { job_id: id, params: body.params, requested_at: requestedAt }, opts);
    return reply.code(202).send({ id, status: 'PENDING', created_at: requestedAt });
  });
  const url = await app.listen({ port: Number(env('PORT', '0')), host: '127.0.0.1' });
  console.log(`ready ${url}`);
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => intake.close())
        .then(() => process.exit(0)),
  );
}

async function worker(): Promise<void> {
  const conn = await mongoose.createConnection(env('MONGODB_URI')).asPromise();
  const db = conn.useDb(env('MONGODB_DB'));
  const jobs = db.collection<any>('jobs');
  const accounts = db.collection<any>('accounts');
  const submissions = db.collection<any>('submissions');
  const assets = db.collection<any>('assets');
  await assets.createIndex({ job_id: 1 }, { unique: true });
  const simUrl = env('SIM_URL');
  const simKey = env('SIM_KEY');
  const accountId = 'acct-1';
  await accounts.updateOne(
    { _id: accountId },
    { $setOnInsert: { in_flight: 0, max_concurrent_jobs: 1_000 } },
    { upsert: true },
  );
  const concurrency = Number(env('FLOW_CONCURRENCY', '50'));
  const pollIntervalMs = Number(env('POLL_INTERVAL_MS', '1000'));
  const redis = new Redis(redisUrl.toString());
  const queues = {
    dispatch: new Queue('dispatch', { connection, prefix }),
    poll: new Queue('poll', { connection, prefix }),
    asset: new Queue('asset', { connection, prefix }),
  };
  const sim = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${simUrl}${path}`, {
      method,
      signal: AbortSignal.timeout(30_000),
      headers: {
        'API-KEY': simKey,
        'Ai-trace-id': randomUUID(),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as { ErrCode: number; ErrMsg: string; Resp: any };
    if (!res.ok || json.ErrCode !== 0) throw new Error(`provider ${res.status} ${json.ErrCode} ${json.ErrMsg}`);
    return json.Resp;
  };

  const handlers: Record<string, (job: Job) => Promise<void>> = {
    intake: async (job) => {
      const { job_id, params, requested_at } = job.data;
      await jobs.updateOne(
        { _id: job_id },
        { $setOnInsert: { params, status: 'PENDING', created_at: new Date(requested_at) } },
        { upsert: true },
      );
      await queues.dispatch.add('dispatch', { job_id, params }, opts);
    },
    dispatch: async (job) => {
      const { job_id, params } = job.data;
      const reserved = await accounts.findOneAndUpdate(
        { _id: accountId, $expr: { $lt: ['$in_flight', '$max_concurrent_jobs'] } },
        { $inc: { in_flight: 1 } },
      );
      if (!reserved) throw new Error('no account slot');
      await submissions.updateOne(
        { _id: job_id },
        { $set: { state: 'submitting', account_id: accountId, attempt: job.attemptsMade + 1 } },
        { upsert: true },
      );
      let resp: { video_id: number };
      try {
        resp = await sim('POST', '/openapi/v2/video/text/generate', {
          prompt: params.prompt,
          model: params.model ?? 'v5',
          duration: params.duration ?? 5,
          quality: params.quality ?? '540p',
          aspect_ratio: params.aspect_ratio ?? '16:9',
        });
      } catch (err) {
        await accounts.updateOne({ _id: accountId }, { $inc: { in_flight: -1 } });
        throw err;
      }
      await submissions.updateOne(
        { _id: job_id },
        { $set: { state: 'submitted', provider_job_id: String(resp.video_id) } },
      );
      await jobs.updateOne(
        { _id: job_id },
        { $set: { status: 'PROCESSING', provider_job_id: String(resp.video_id), submitted_at: new Date() } },
      );
      await queues.poll.add('poll', { job_id, video_id: resp.video_id }, { ...opts, delay: 0 });
    },
    poll: async (job) => {
      const { job_id, video_id } = job.data;
      const r = await sim('GET', `/openapi/v2/video/result/${video_id}`);
      if (r.status === 5) {
        await queues.poll.add('poll', { job_id, video_id }, { ...opts, delay: pollIntervalMs });
        return;
      }
      const completedAtMs = Date.now();
      await accounts.updateOne({ _id: accountId }, { $inc: { in_flight: -1 } });
      await submissions.updateOne({ _id: job_id }, { $set: { state: 'done' } });
      if (r.status !== 1) {
        await jobs.updateOne(
          { _id: job_id },
          { $set: { status: 'FAILED', error_code: `PROVIDER_${r.status}`, completed_at_ms: completedAtMs } },
        );
        await redis.incr(`${prefix}:finished`);
        return;
      }
      await jobs.updateOne(
        { _id: job_id },
        {
          $set: {
            completed_at_ms: completedAtMs,
            result: { url: r.url, width: r.outputWidth, height: r.outputHeight },
          },
        },
      );
      await queues.asset.add(
        'asset',
        { job_id, video_id, url: r.url, width: r.outputWidth, height: r.outputHeight, size: r.size },
        opts,
      );
    },
    asset: async (job) => {
      const d = job.data;
      const assetId = randomUUID();
      await assets.updateOne(
        { job_id: d.job_id },
        {
          $setOnInsert: {
            _id: assetId,
            media_type: 'video',
            provider_asset_id: String(d.video_id),
            remote_url: d.url,
            width: d.width,
            height: d.height,
            file_size_bytes: d.size,
            created_at: new Date(),
          },
        },
        { upsert: true },
      );
      await jobs.updateOne(
        { _id: d.job_id },
        { $set: { status: 'COMPLETED', asset_id: assetId, asset_at_ms: Date.now() } },
      );
      await redis.incr(`${prefix}:finished`);
    },
  };
  const workers = Object.entries(handlers).map(
    ([name, fn]) => new Worker(name, fn, { connection, prefix, concurrency }),
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  console.log('ready worker');
  process.once('SIGTERM', () => {
    void (async () => {
      await Promise.all(workers.map((w) => w.close()));
      await Promise.all(Object.values(queues).map((q) => q.close()));
      redis.disconnect();
      await conn.close();
      process.exit(0);
    })();
  });
}

const mode = process.argv[2];
if (mode === 'route') await route();
else if (mode === 'worker') await worker();
else {
  console.error('usage: bullmq-flow.ts route|worker');
  process.exit(2);
}
