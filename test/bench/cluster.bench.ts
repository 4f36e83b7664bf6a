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
import { createKeys } from '@pixsim/contracts';
import { createLogger, createRedis } from '@pixsim/kit';
import { startRedisCluster, type RedisCluster } from '../cluster/redis-cluster.js';
import { intArg, printTable, rate, type BenchRow } from './bench-utils.js';
import { timeBusRun } from './bus-contenders.js';

const options = {
  events: intArg('events', 30_000),
  concurrency: intArg('concurrency', 50),
  batch: intArg('batch', 500),
  replicas: Number(process.argv.includes('--replicas') ? process.argv[process.argv.indexOf('--replicas') + 1] : 1),
};
const logger = createLogger({ service: 'bench-cluster', level: 'warn' });

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
  const { seconds, metered: perMaster } = await timeBusRun(redis, keys, run, options, async () => {
    const before = await masterCpu(cluster);
    return async () => {
      const perEvent = new Map<number, number>();
      for (const [port, cpu] of await masterCpu(cluster))
        perEvent.set(port, ((cpu - (before.get(port) ?? cpu)) * 1e6) / options.events);
      return perEvent;
    };
  });
  for (const stream of keys.streams('JOB_CREATED')) await redis.del(stream);
  redis.disconnect();
  const extra: Record<string, string> = {};
  for (const [port, us] of [...perMaster].sort(([a], [b]) => a - b)) extra[`master :${port} µs/event`] = us.toFixed(1);
  extra['busiest master µs/event'] = Math.max(...perMaster.values()).toFixed(1);
  return { row: { name: `STREAM_PARTITIONS=${partitions}`, events: options.events, seconds, extra }, perMaster };
}

console.log(
  `bus on a local Redis Cluster (3 masters, ${options.replicas} replica(s) each): ${options.events} events, ` +
    `concurrency ${options.concurrency}, publish batches of ${options.batch}`,
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
