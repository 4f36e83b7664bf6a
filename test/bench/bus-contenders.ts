import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { createKeys, eventIds, toStreamFields, type EventData, type Keys } from '@pixsim/contracts';
import { createConsumer, createPublisher, type PublishInput, type RedisClient } from '@pixsim/bus';
import { deleteKeys } from '@pixsim/testkit';
import { progress, type BenchRow } from './bench-utils.js';

export interface ContenderOptions {
  redisUrl: string;
  events: number;
  concurrency: number;
  batch: number;
}

const payload = (run: string, i: number): EventData<'JOB_CREATED'> => ({
  job_id: `${run}-${i}`,
  user_id: 'user-1',
  operation_type: 'text_to_video',
  provider_id: 'pixverse',
  params: { prompt: `a cat surfing, take ${i}`, model: 'v5', quality: '540p', duration: 5, aspect_ratio: '16:9' },
  priority: 5,
  name: null,
  description: null,
  workspace_id: null,
  scheduled_at: null,
  created_at: new Date().toISOString(),
});

/**
 * CPU spent during the timed part, per event: this process (producer and consumer
 * both) and the Redis server (INFO cpu; nothing else uses it during the run). Redis
 * is the one part every producer and consumer replica shares, so its CPU per event
 * bounds a whole deployment's rate however many processes the clients spread over.
 */
async function cpuMeter(redis: Redis, events: number): Promise<() => Promise<Record<string, string>>> {
  const redisCpu = async () => {
    const info = await redis.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return field('used_cpu_sys') + field('used_cpu_user');
  };
  const client0 = process.cpuUsage();
  const redis0 = await redisCpu();
  return async () => {
    const client = process.cpuUsage(client0);
    const redisSeconds = (await redisCpu()) - redis0;
    const perEvent = (us: number) => (us / events).toFixed(1);
    return {
      'client CPU µs/event': perEvent(client.user + client.system),
      'Redis CPU µs/event': perEvent(redisSeconds * 1e6),
      'Redis-bound ceiling/s': Math.round(events / redisSeconds).toLocaleString('en-US'),
    };
  };
}

/**
 * pixsim's bus under load: one consumer in group `bench`, `o.events` JOB_CREATED published in
 * batches of `o.batch`, timed from the first publish until the last is handled and acked.
 * `meter` starts once the consumer runs (it may watch the acks so far); what it returns is
 * read once the last event is in, before the consumer stops.
 */
export async function timeBusRun<M>(
  redis: RedisClient,
  keys: Keys,
  run: string,
  o: Pick<ContenderOptions, 'events' | 'batch' | 'concurrency'>,
  meter: (acked: () => number) => Promise<() => Promise<M>>,
): Promise<{ seconds: number; metered: M }> {
  const publisher = createPublisher({ redis, keys });
  let acked = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const consumer = createConsumer({
    redis,
    keys,
    type: 'JOB_CREATED',
    group: 'bench',
    consumer: 'c1',
    concurrency: o.concurrency,
    blockMs: 1000,
    handler: async () => {},
    hooks: {
      onHandled: ({ outcome }) => {
        if (outcome === 'ok' && ++acked === o.events) finish();
      },
    },
  });
  await consumer.start();
  const read = await meter(() => acked);
  const t0 = performance.now();
  for (let i = 0; i < o.events; i += o.batch) {
    const inputs: PublishInput[] = [];
    for (let j = i; j < Math.min(o.events, i + o.batch); j++) {
      inputs.push({ type: 'JOB_CREATED', id: eventIds.jobCreated(`${run}-${j}`), data: payload(run, j) });
    }
    await publisher.publishMany(inputs);
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const metered = await read();
  await consumer.stop();
  return { seconds, metered };
}

/** pixsim's bus: publish → consume → ack through one group, schemas and trace context on. */
export async function runPixsim(o: ContenderOptions): Promise<BenchRow> {
  const run = randomUUID().slice(0, 8);
  const redis = new Redis(o.redisUrl);
  const { seconds, metered: extra } = await timeBusRun(redis, createKeys(`bench-${run}`), run, o, async (acked) => {
    const stop = progress('pixsim', acked, o.events);
    const meter = await cpuMeter(redis, o.events);
    return async () => {
      const extra = await meter();
      stop();
      return extra;
    };
  });
  await deleteKeys(redis, `bench-${run}`);
  redis.disconnect();
  return { name: 'pixsim bus (schemas + tracing)', events: o.events, seconds, extra };
}

/** BullMQ: add → process with removeOnComplete, the way its users run it. */
export async function runBullmq(o: ContenderOptions): Promise<BenchRow> {
  const run = randomUUID().slice(0, 8);
  const url = new URL(o.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  const prefix = `bench-bull-${run}`;
  const queue = new Queue('jobs', { connection, prefix });
  let completed = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const worker = new Worker('jobs', async () => {}, { connection, prefix, concurrency: o.concurrency });
  worker.on('completed', () => {
    if (++completed === o.events) finish();
  });
  await worker.waitUntilReady();
  const stop = progress('bullmq', () => completed, o.events);
  const meterClient = new Redis(o.redisUrl);
  const meter = await cpuMeter(meterClient, o.events);
  const t0 = performance.now();
  for (let i = 0; i < o.events; i += o.batch) {
    const jobs = [];
    for (let j = i; j < Math.min(o.events, i + o.batch); j++) {
      jobs.push({ name: 'JOB_CREATED', data: payload(run, j), opts: { removeOnComplete: true } });
    }
    await queue.addBulk(jobs);
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const extra = await meter();
  meterClient.disconnect();
  stop();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  const redis = new Redis(o.redisUrl);
  await deleteKeys(redis, prefix);
  redis.disconnect();
  return { name: 'BullMQ add → process', events: o.events, seconds, extra };
}

/** The ceiling: pipelined XADD, XREADGROUP COUNT 50, one XACK per batch, nothing else. */
export async function runBareLoop(o: ContenderOptions): Promise<BenchRow> {
  const run = randomUUID().slice(0, 8);
  const stream = `bench-bare-${run}:JOB_CREATED`;
  const redis = new Redis(o.redisUrl);
  const reader = redis.duplicate();
  await redis.xgroup('CREATE', stream, 'bench', '0', 'MKSTREAM');
  let acked = 0;
  const stop = progress('bare', () => acked, o.events);
  const meter = await cpuMeter(redis, o.events);
  const t0 = performance.now();
  const consume = (async () => {
    while (acked < o.events) {
      const reply = (await reader.call('XREADGROUP', [
        'GROUP',
        'bench',
        'c1',
        'COUNT',
        50,
        'BLOCK',
        1000,
        'STREAMS',
        stream,
        '>',
      ])) as unknown[] | null;
      const entries = (Array.isArray(reply?.[0]) ? (reply![0] as unknown[])[1] : reply?.[1]) as
        | [string, string[]][]
        | undefined;
      if (!entries?.length) continue;
      await redis.xack(stream, 'bench', ...entries.map(([id]) => id));
      acked += entries.length;
    }
  })();
  for (let i = 0; i < o.events; i += o.batch) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(o.events, i + o.batch); j++) {
      const fields = toStreamFields({
        id: eventIds.jobCreated(`${run}-${j}`),
        type: 'JOB_CREATED',
        v: 1,
        at: new Date().toISOString(),
        data: payload(run, j),
      });
      pipeline.xadd(stream, 'MAXLEN', '~', '1000000', '*', ...fields);
    }
    await pipeline.exec();
  }
  await consume;
  const seconds = (performance.now() - t0) / 1000;
  const extra = await meter();
  stop();
  await redis.unlink(stream);
  reader.disconnect();
  redis.disconnect();
  return { name: 'bare ioredis loop (ceiling)', events: o.events, seconds, extra };
}
