import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeys, eventIds, keySlot, PermanentError, TransientError, type Keys } from '@pixsim/contracts';
import { createLogger, createRedis } from '@pixsim/kit';
import { sleep, uniqueName, waitFor } from '@pixsim/testkit';
import { startRedisCluster, type RedisCluster } from '../../../test/cluster/redis-cluster.js';
import {
  createConsumer,
  createPublisher,
  listDeadLetters,
  replayDeadLetters,
  streamStats,
  trimBehindGroups,
  type ConsumedEvent,
  type PublishInput,
} from '../src/index.js';
import { jobCreated } from './helpers.js';

/**
 * The bus on a real Redis Cluster (3 masters, 3 replicas, started once for the file):
 * its whole surface with 3 partitions, then a master killed mid-run.
 */
let cluster: RedisCluster;
const logger = createLogger({ service: 'bus-cluster-test', level: 'silent' });
const clients: Cluster[] = [];
const connect = (name: string) => {
  const c = createRedis(
    { REDIS_URL: 'redis://127.0.0.1', REDIS_CLUSTER_NODES: cluster.seeds.split(',') },
    { name, logger },
  );
  clients.push(c as Cluster);
  return c;
};

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2_000 });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cluster?.stop();
});

function jobDeferred(jobId: string, attempt: number): PublishInput<'JOB_DEFERRED'> {
  return {
    type: 'JOB_DEFERRED',
    id: eventIds.jobDeferred(jobId, attempt, 'retry_backoff'),
    data: { job_id: jobId, reason: 'retry_backoff', attempt, until: null, deferred_at: new Date().toISOString() },
  };
}

describe('the bus on Redis Cluster', () => {
  it('when there are 3 partitions on 3 masters, then each partition of a type sits on its own master, with its dead letters and publish marks in its slot', async () => {
    const keys = createKeys(uniqueName('c'), { partitions: 3 });
    for (const type of ['JOB_CREATED', 'JOB_SUBMITTED', 'ACCOUNT_COMMAND'] as const) {
      const masters = new Set<number>();
      for (let p = 0; p < 3; p++) {
        const slot = keySlot(keys.stream(type, p));
        expect(keySlot(keys.deadLetter(type, p))).toBe(slot);
        expect(keySlot(keys.published(type, 'some-event', p))).toBe(slot);
        masters.add((await cluster.masterOf(slot)).port);
      }
      expect(masters.size, `${type}'s partitions on ${[...masters]}`).toBe(3);
    }
  });

  it('when the whole surface runs on the cluster (publish once, consume, retry, dead-letter, take-over, stats, replay, trim), then nothing is lost, repeated or refused as CROSSSLOT', async () => {
    const redis = connect('surface');
    const keys: Keys = createKeys(uniqueName('c'), { partitions: 3 });
    const publisher = createPublisher({ redis, keys, dedupeTtlSec: 600 });
    const inputs = Array.from({ length: 30 }, (_, i) => jobCreated(i));
    const first = await publisher.publishMany(inputs);
    expect(first.every((r) => r.streamId !== null)).toBe(true);
    // Publish-once: a repeat adds nothing, on whichever partition each event went to.
    expect((await publisher.publishMany(inputs.slice(0, 5))).map((r) => r.streamId)).toEqual(Array(5).fill(null));
    const lengths = await Promise.all(keys.streams('JOB_CREATED').map((s) => redis.xlen(s)));
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(30);
    expect(
      lengths.every((n) => n > 0),
      `spread ${lengths}`,
    ).toBe(true);

    // A consumer that died holding entries: it read some of partition 0 and never acked.
    const stream0 = keys.stream('JOB_CREATED', 0);
    await redis.xgroup('CREATE', stream0, 'dispatcher', '0', 'MKSTREAM');
    const stolen = (await redis.xreadgroup('GROUP', 'dispatcher', 'dead-1', 'COUNT', 2, 'STREAMS', stream0, '>')) as [
      string,
      [string, string[]][],
    ][];
    expect(stolen[0]![1]).toHaveLength(2);

    let poisonFixed = false;
    const handled = new Map<string, number>();
    const transientOnce = new Set<string>();
    const consumer = createConsumer({
      redis,
      keys,
      type: 'JOB_CREATED',
      group: 'dispatcher',
      consumer: 'live-1',
      concurrency: 4,
      claimTimeoutMs: 1_000,
      blockMs: 200,
      backoff: { baseMs: 10, maxMs: 50 },
      handler: async (event: ConsumedEvent<'JOB_CREATED'>) => {
        const job = event.data.job_id;
        if (job === 'job-7' && !poisonFixed) throw new PermanentError('bad prompt');
        if (job === 'job-3' && !transientOnce.has(job)) {
          transientOnce.add(job);
          throw new TransientError('provider hiccup');
        }
        handled.set(job, (handled.get(job) ?? 0) + 1);
      },
    });
    await consumer.start();
    try {
      await waitFor(() => handled.size === 29, { timeoutMs: 20_000, what: '29 jobs handled (one dead-lettered)' });
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(handled.has('job-3')).toBe(true);

      const letters = await listDeadLetters(redis, keys, 'JOB_CREATED');
      expect(letters.map((l) => l.code)).toEqual(['PERMANENT']);
      const [stats] = await streamStats(redis, keys, ['JOB_CREATED']);
      expect(stats).toMatchObject({ length: 30, deadLetters: 1, missing: false });
      expect(stats!.partitions).toHaveLength(3);
      await waitFor(
        async () =>
          (await streamStats(redis, keys, ['JOB_CREATED']))[0]!.groups.find((g) => g.group === 'dispatcher')!
            .pending === 0,
        { timeoutMs: 5_000, what: 'nothing pending' },
      );
      const [settled] = await streamStats(redis, keys, ['JOB_CREATED']);
      expect(settled!.groups.find((g) => g.group === 'dispatcher')).toMatchObject({
        lag: 0,
        pending: 0,
        missing: false,
      });
      expect(settled!.groups.find((g) => g.group === 'gateway')).toMatchObject({ missing: true });

      poisonFixed = true;
      expect(await replayDeadLetters(redis, keys, 'JOB_CREATED')).toEqual({ replayed: 1 });
      await waitFor(() => handled.has('job-7'), { timeoutMs: 10_000, what: 'the replayed job handled' });
      expect(await listDeadLetters(redis, keys, 'JOB_CREATED')).toEqual([]);
    } finally {
      await consumer.stop();
    }

    // Every group read and acked everything: trimming behind it empties each partition but its last entry.
    for (const stream of keys.streams('JOB_CREATED')) {
      await trimBehindGroups(redis, stream, ['dispatcher'], { exact: true });
      expect(await redis.xlen(stream)).toBeLessThanOrEqual(1);
    }
  });

  it("when one job's events go out on 3 partitions, then they all land in one partition and are handled in order", async () => {
    const redis = connect('order');
    const keys = createKeys(uniqueName('c'), { partitions: 3 });
    const publisher = createPublisher({ redis, keys });
    const jobs = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e', 'job-f'];
    for (let attempt = 0; attempt < 5; attempt++) await publisher.publishMany(jobs.map((j) => jobDeferred(j, attempt)));
    const seen = new Map<string, number[]>();
    const consumer = createConsumer({
      redis,
      keys,
      type: 'JOB_DEFERRED',
      group: 'job-intake',
      consumer: 'c1',
      concurrency: 1,
      blockMs: 200,
      handler: async (event: ConsumedEvent<'JOB_DEFERRED'>) => {
        seen.set(event.data.job_id, [...(seen.get(event.data.job_id) ?? []), event.data.attempt]);
      },
    });
    await consumer.start();
    try {
      await waitFor(() => [...seen.values()].flat().length === 30, { timeoutMs: 10_000, what: '30 events' });
    } finally {
      await consumer.stop();
    }
    for (const j of jobs) expect(seen.get(j)).toEqual([0, 1, 2, 3, 4]);
  });

  // Last: it changes the cluster's topology.
  it('when a master is killed mid-run and its replica promoted, then every publish that returned OK (with WAIT 1) is still consumed', async () => {
    const redis = connect('failover');
    const keys = createKeys(uniqueName('c'), { partitions: 3 });
    const publisher = createPublisher({
      redis,
      keys,
      dedupeTtlSec: 600,
      replication: { replicas: 1, timeoutMs: 1_000 },
    });
    const handled = new Set<string>();
    const consumer = createConsumer({
      redis,
      keys,
      type: 'JOB_CREATED',
      group: 'dispatcher',
      consumer: 'c1',
      concurrency: 20,
      blockMs: 200,
      claimTimeoutMs: 2_000,
      handler: async (event: ConsumedEvent<'JOB_CREATED'>) => {
        handled.add(event.id);
      },
    });
    await consumer.start();
    const accepted: string[] = [];
    const refused = new Map<string, number>();
    let stop = false;
    const publishing = (async () => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const input = jobCreated(i);
        try {
          await publisher.publish(input);
          accepted.push(input.id);
        } catch (err) {
          const code = String((err as { code?: unknown }).code ?? (err as Error).message);
          refused.set(code, (refused.get(code) ?? 0) + 1);
          await sleep(50);
        }
      }
    })();
    try {
      await waitFor(() => accepted.length >= 200, { timeoutMs: 20_000, what: '200 accepted publishes' });
      const victim = await cluster.masterOf(keySlot(keys.stream('JOB_CREATED', 0)));
      const acceptedBeforeKill = accepted.length;
      await cluster.kill(victim.port);
      const heir = await cluster.waitForFailover(victim.port, 30_000);
      expect(heir.port).not.toBe(victim.port);
      // The other masters' partitions keep accepting. The promoted one has no replica left,
      // so WAIT 1 refuses its publishes (REPLICATION_TIMEOUT) rather than accept what one
      // more failure would lose.
      const report = () =>
        `${accepted.length} accepted (${acceptedBeforeKill} before the kill), refused ` +
        `${JSON.stringify(Object.fromEntries(refused))}`;
      await waitFor(() => accepted.length >= acceptedBeforeKill + 50, {
        timeoutMs: 60_000,
        what: `50 more accepted: ${report()}`,
      }).catch((err) => {
        throw new Error(`${(err as Error).message}; ${report()}`);
      });
      stop = true;
      await publishing;
      await waitFor(() => accepted.every((id) => handled.has(id)), {
        timeoutMs: 30_000,
        what: 'every accepted publish consumed',
      }).catch((err) => {
        throw new Error(`${(err as Error).message}; ${accepted.filter((id) => !handled.has(id)).length} not consumed`);
      });
      expect(refused.get('REPLICATION_TIMEOUT') ?? 0).toBeGreaterThan(0);
      console.info(`failover: ${report()}; every accepted one consumed`);
    } finally {
      stop = true;
      await publishing;
      await consumer.stop();
    }
  }, 120_000);
});
