import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSUMERS, EVENT_TYPES, createKeys, keySlot } from '@pixsim/contracts';
import { startRedisCluster, type RedisCluster } from '../cluster/redis-cluster.js';
import { startTestSystem, type Job, type TestSystem } from '../harness/system.js';
import { submitMany, waitForAssets } from './helpers.js';

const PARTITIONS = 3;

/**
 * The whole system on a local Redis Cluster (3 masters, 1 replica each, node timeout 2 s):
 * every service on ioredis Cluster, each event type split into 3 stream partitions, and the
 * gateway waiting for one replica before it answers 202.
 */
describe('the system on a Redis Cluster', () => {
  let cluster: RedisCluster | undefined;
  let sys: TestSystem | undefined;
  let client: Cluster | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2_000 });
    sys = await startTestSystem({
      env: {
        POLL_INTERVAL_S: '1',
        REDIS_CLUSTER_NODES: cluster.seeds,
        STREAM_PARTITIONS: String(PARTITIONS),
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '1000',
      },
    });
    client = new Cluster(
      cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
      { scaleReads: 'master', clusterRetryStrategy: () => 200 },
    );
  }, 120_000);

  beforeEach((ctx) => {
    ctx.onTestFailed(() => sys?.dumpLogs(`after the failed test "${ctx.task.name}"`));
  });

  afterAll(async () => {
    client?.disconnect();
    await sys?.stop();
    // The cluster's keys go with its nodes' directories.
    await cluster?.stop();
  }, 60_000);

  const keys = () => createKeys(sys!.prefix, { partitions: PARTITIONS });

  /** Pending entries of every configured group on every partition of every type, through the Cluster client. */
  async function pendingEverywhere(): Promise<{ total: number; detail: string[] }> {
    const detail: string[] = [];
    let total = 0;
    for (const type of EVENT_TYPES) {
      for (const stream of keys().streams(type)) {
        for (const group of CONSUMERS[type]) {
          const [count] = (await client!.xpending(stream, group)) as [number, ...unknown[]];
          total += Number(count);
          if (Number(count) > 0) detail.push(`${stream} ${group}: ${count}`);
        }
      }
    }
    return { total, detail };
  }

  it('when 60 jobs run on 3 partitions, then all complete with one asset each, the partitions sit on all three masters, and nothing is left pending', async () => {
    const ids = await submitMany(sys!, 60, 'a lighthouse on a cluster');
    const jobs = await waitForAssets(sys!, ids, 90_000);
    expect(new Set(jobs.map((j) => j.asset_id)).size).toBe(60);

    // Each event type's three partition streams exist, each on a different master.
    const masters = new Set<number>();
    for (const type of EVENT_TYPES) {
      const owners = new Set<number>();
      for (const stream of keys().streams(type)) {
        const owner = await cluster!.masterOf(keySlot(stream));
        const direct = new Redis({ port: owner.port, lazyConnect: true });
        try {
          await direct.connect();
          expect(await direct.type(stream), `${stream} on its master ${owner.port}`).toBe('stream');
        } finally {
          direct.disconnect();
        }
        owners.add(owner.port);
        masters.add(owner.port);
      }
      expect(owners.size, `${type}'s partitions on distinct masters`).toBe(PARTITIONS);
    }
    expect(masters.size).toBe(3);

    // The gateway's per-IP limit counted on the cluster: its claims cover every request admitted
    // (a count that failed would have let the requests through unseen).
    const limitKeys = (
      await Promise.all(client!.nodes('master').map((m) => m.keys(`${sys!.prefix}:svc:gateway:rl:ip:*`)))
    ).flat();
    expect(limitKeys).toHaveLength(1);
    expect(Number(await client!.get(limitKeys[0]!))).toBeGreaterThanOrEqual(60);

    // Every entry read was acknowledged by every group (the last acks may trail the last asset).
    await expect.poll(async () => (await pendingEverywhere()).detail, { timeout: 20_000, interval: 500 }).toEqual([]);
  });

  it('when a master is SIGKILLed while jobs are submitted, then every POST gets 202 or 503 with Retry-After, a client retrying its 503s with the same Idempotency-Key gets every job, and all complete', async () => {
    const c = cluster!;
    const s = sys!;
    const run = randomUUID().slice(0, 6);
    // The master holding JOB_REQUESTED's first partition: a third of the new jobs publish to it.
    const victim = await c.masterOf(keySlot(keys().stream('JOB_REQUESTED', 0)));

    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let retried = 0;
    const codes503 = new Map<string, number>();
    let slowestMs = 0;
    const accepted = new Map<string, string>(); // idempotency key → job id
    let submitting = true;
    let n = 0;

    /** One client: POSTs jobs one after another until told to stop; a 503 is retried with the same key. */
    const clientLoop = async (worker: number) => {
      while (submitting) {
        const key = `${run}-${worker}-${n++}`;
        const body = { operation_type: 'text_to_video', params: { prompt: `a ferry in a storm ${key}` } };
        for (let attempt = 1; ; attempt++) {
          const started = Date.now();
          const res = await s.api<Job>('POST', '/api/v1/jobs', body, { 'idempotency-key': key });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          slowestMs = Math.max(slowestMs, Date.now() - started);
          if (res.status === 503) {
            const code = String((res.body as { error?: { code?: string } } | null)?.error?.code ?? res.body);
            codes503.set(code, (codes503.get(code) ?? 0) + 1);
          }
          if (res.status === 202 || res.status === 200) {
            accepted.set(key, res.body.id);
            break;
          }
          if (res.status === 503 && res.headers.get('retry-after')) {
            retried++;
            if (attempt > 120) {
              problems.push(`${key}: still 503 after ${attempt} attempts`);
              break;
            }
            // Retry-After is in whole seconds; a patient client waits it, this one caps it to keep the test short.
            await sleep(Math.min(1_000, 1_000 * Number(res.headers.get('retry-after'))));
            continue;
          }
          problems.push(`${key}: ${res.status} after ${Date.now() - started} ms ${JSON.stringify(res.body)}`);
          break;
        }
      }
    };

    const clients = Array.from({ length: 4 }, (_, i) => clientLoop(i));
    await sleep(2_000);
    const before = accepted.size;
    const killedAt = Date.now();
    await c.kill(victim.port);
    const heir = await c.waitForFailover(victim.port, 30_000);
    const promotedMs = Date.now() - killedAt;
    // The promoted master has no replica: with WAIT 1 it refuses publishes (503) until the old master is back
    // as its replica.
    await sleep(2_000);
    await c.restart(victim.port);
    const restoredMs = Date.now() - killedAt;
    await sleep(3_000);
    submitting = false;
    await Promise.all(clients);

    const roles = await c.roles();
    const back = roles.find((r) => r.port === victim.port)!;
    const heirId = roles.find((r) => r.port === heir.port)!.id;
    const jobIds = [...new Set(accepted.values())];
    const jobs = await waitForAssets(s, jobIds, 90_000);
    process.stderr.write(
      `redis-cluster failover: ${jobIds.length} jobs accepted (${before} before the kill), POST answers ${JSON.stringify(Object.fromEntries(statuses))}, ${retried} retried 503s ${JSON.stringify(Object.fromEntries(codes503))}, slowest POST ${slowestMs} ms; promotion ${promotedMs} ms after the kill, old master back as a replica after ${restoredMs} ms\n`,
    );

    expect(problems).toEqual([]);
    expect([...statuses.keys()].filter((st) => st !== 202 && st !== 200 && st !== 503)).toEqual([]);
    expect(back.role).toBe('replica');
    expect(back.masterId).toBe(heirId);
    expect(jobIds.length).toBeGreaterThan(before);
    expect(jobs.filter((j) => j.status !== 'COMPLETED')).toEqual([]);
    expect((await s.simStats()).duplicates).toBe(0);
    await expect.poll(async () => (await pendingEverywhere()).detail, { timeout: 20_000, interval: 500 }).toEqual([]);
  });
});
