/**
 * The bus on a local Redis Cluster (3 masters, 1 replica each), STREAM_PARTITIONS 1 and 3:
 * publish → consume → ack of one event type through one group, events/s, and the
 * Redis CPU per event on each master (INFO cpu before and after). With one partition
 * every event of the type lands on one master; with three, each master carries a third.
 *
 *   npm run bench:cluster [-- --events 30000 --concurrency 50 --batch 500 --replicas 1]
 */
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createKeys, eventIds, type EventData } from '@pixsim/contracts';
import { createConsumer, createPublisher, type PublishInput } from '@pixsim/bus';
import { createLogger, createRedis } from '@pixsim/kit';
import { startRedisCluster, type RedisCluster } from '../cluster/redis-cluster.js';
import { intArg, printTable, rate, type BenchRow } from './bench-utils.js';

const options = {
  events: intArg('events', 30_000),
  concurrency: intArg('concurrency', 50),
  batch: intArg('batch', 500),
  replicas: Number(process.argv.includes('--replicas') ? process.argv[process.argv.indexOf('--replicas') + 1] : 1),
};
const logger = createLogger({ service: 'bench-cluster', level: 'warn' });

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

async function masterCpu(cluster: RedisCluster): Promise<Map<number, number>> {
  const masters = (await cluster.roles()).filter((r) => r.role === 'master' && !r.failed);
  const out = new Map<number, number>();
  for (const m of masters) {
    const info = await cluster.info(m.port, 'cpu');
    out.set(m.port, Number(info.used_cpu_sys) + Number(info.used_cpu_user));
  }
  return out;
}

async function runOnce(
  cluster: RedisCluster,
  partitions: number,
): Promise<{ row: BenchRow; perMaster: Map<number, number> }> {
  const run = randomUUID().slice(0, 8);
  const keys = createKeys(`bench-${run}`, { partitions });
  const redis = createRedis(
    { REDIS_URL: 'redis://127.0.0.1', REDIS_CLUSTER_NODES: cluster.seeds.split(',') },
    {
      name: `bench-p${partitions}`,
      logger,
    },
  ) as Cluster;
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
    concurrency: options.concurrency,
    blockMs: 1000,
    handler: async () => {},
    hooks: {
      onHandled: ({ outcome }) => {
        if (outcome === 'ok' && ++acked === options.events) finish();
      },
    },
  });
  await consumer.start();
  const before = await masterCpu(cluster);
  const t0 = performance.now();
  for (let i = 0; i < options.events; i += options.batch) {
    const inputs: PublishInput[] = [];
    for (let j = i; j < Math.min(options.events, i + options.batch); j++) {
      inputs.push({ type: 'JOB_CREATED', id: eventIds.jobCreated(`${run}-${j}`), data: payload(run, j) });
    }
    await publisher.publishMany(inputs);
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const after = await masterCpu(cluster);
  await consumer.stop();
  for (const stream of keys.streams('JOB_CREATED')) await redis.del(stream);
  redis.disconnect();
  const perMaster = new Map<number, number>();
  for (const [port, cpu] of after) perMaster.set(port, ((cpu - (before.get(port) ?? cpu)) * 1e6) / options.events);
  const extra: Record<string, string> = {};
  for (const [port, us] of [...perMaster].sort(([a], [b]) => a - b)) extra[`master :${port} µs/event`] = us.toFixed(1);
  extra['busiest master µs/event'] = Math.max(...perMaster.values()).toFixed(1);
  return { row: { name: `STREAM_PARTITIONS=${partitions}`, events: options.events, seconds, extra }, perMaster };
}

console.log(
  `bus on a local Redis Cluster (3 masters, ${options.replicas} replica(s) each): ${options.events} events, concurrency ${options.concurrency}, publish batches of ${options.batch}`,
);
const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: options.replicas });
let exitCode = 0;
try {
  const one = await runOnce(cluster, 1);
  const three = await runOnce(cluster, 3);
  printTable('publish → consume → ack on Redis Cluster', [one.row, three.row]);
  const busiest = (m: Map<number, number>) => Math.max(...m.values());
  console.log(
    `ratio: partitions 3/1 events/s = ${(rate(three.row) / rate(one.row)).toFixed(2)}×; ` +
      `busiest master's CPU per event 1/3 = ${(busiest(one.perMaster) / busiest(three.perMaster)).toFixed(2)}× ` +
      '(how much further the cluster goes before its hottest master is saturated)',
  );
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await cluster.stop();
}
process.exit(exitCode);
