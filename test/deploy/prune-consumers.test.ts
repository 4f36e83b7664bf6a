import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { pruneConsumers } from '../../scripts/backup/prune-consumers.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const stream = `t-prune-${randomUUID().slice(0, 8)}:JOB_CREATED`;
afterAll(async () => {
  await redis.del(stream);
  redis.disconnect();
});

const consumersOf = async (group: string): Promise<string[]> =>
  ((await redis.xinfo('CONSUMERS', stream, group)) as unknown[][]).map((c) => String(c[1])).sort();

describe('consumer-name retention (scripts/prune-consumers.ts)', () => {
  it('when pods that are gone left consumer names, then the idle ones with nothing pending are deleted and one holding an entry is kept', async () => {
    await redis.xgroup('CREATE', stream, 'dispatcher', '0', 'MKSTREAM');
    await redis.xadd(stream, '*', 'n', '1');
    await redis.xadd(stream, '*', 'n', '2');
    await redis.xadd(stream, '*', 'n', '3');
    // An old pod that read and acked, one that read and died holding its entry, and a live one.
    const [[, [[acked]]]] = (await redis.xreadgroup(
      'GROUP',
      'dispatcher',
      'pod-old',
      'COUNT',
      1,
      'STREAMS',
      stream,
      '>',
    )) as any;
    await redis.xack(stream, 'dispatcher', acked);
    await redis.xreadgroup('GROUP', 'dispatcher', 'pod-died', 'COUNT', 1, 'STREAMS', stream, '>');
    await new Promise((r) => setTimeout(r, 1_500));
    const [[, [[live]]]] = (await redis.xreadgroup(
      'GROUP',
      'dispatcher',
      'pod-live',
      'COUNT',
      1,
      'STREAMS',
      stream,
      '>',
    )) as any;
    await redis.xack(stream, 'dispatcher', live);

    const dry = await pruneConsumers(redis, { streams: [stream], idleMs: 1_200, dryRun: true });
    expect(dry.map((p) => p.consumer)).toEqual(['pod-old']);
    expect(await consumersOf('dispatcher')).toEqual(['pod-died', 'pod-live', 'pod-old']);

    const pruned = await pruneConsumers(redis, { streams: [stream, `${stream}-absent`], idleMs: 1_200 });
    expect(pruned.map((p) => `${p.group}/${p.consumer}`)).toEqual(['dispatcher/pod-old']);
    expect(await consumersOf('dispatcher')).toEqual(['pod-died', 'pod-live']);
    // The entry the dead pod held is still pending, for another replica to claim.
    expect(((await redis.xpending(stream, 'dispatcher')) as [number])[0]).toBe(1);
  });
});
