import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  createConsumer,
  createPublisher,
  ReplicationTimeoutError,
  StreamOverBudgetError,
  streamStats,
  trimBehindGroups,
  type Consumer,
} from '../src/index.js';
import { waitFor } from '@pixsim/testkit';
import { ensureGroup } from '../src/group.js';
import { jobCreated, testBus } from './helpers.js';

let t: ReturnType<typeof testBus>;
const consumers: Consumer[] = [];
afterEach(async () => {
  for (const c of consumers.splice(0)) await c.stop();
  await t?.cleanup();
});

describe('trimming and the stream budget', () => {
  it('when one group has read and acked everything and another has read nothing, then a trim drops nothing', async () => {
    t = testBus();
    const stream = t.keys.stream('JOB_CREATED');
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    await ensureGroup(t.redis, stream, 'fast');
    await ensureGroup(t.redis, stream, 'slow');
    await publisher.publishMany(Array.from({ length: 20 }, (_, i) => jobCreated(i)));
    const read = (await t.redis.xreadgroup('GROUP', 'fast', 'c1', 'COUNT', 100, 'STREAMS', stream, '>')) as [
      string,
      [string, string[]][],
    ][];
    await t.redis.xack(stream, 'fast', ...read[0]![1].map(([id]) => id));

    expect(await trimBehindGroups(t.redis, stream, [], { exact: true })).toMatchObject({ trimmed: 0 });
    expect(await t.redis.xlen(stream)).toBe(20);
  });

  it('when every group acked the first entries and holds one pending, then a trim drops exactly the entries before the oldest pending one', async () => {
    t = testBus();
    const stream = t.keys.stream('JOB_CREATED');
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    await ensureGroup(t.redis, stream, 'a');
    await ensureGroup(t.redis, stream, 'b');
    const ids = (await publisher.publishMany(Array.from({ length: 10 }, (_, i) => jobCreated(i)))).map(
      (r) => r.streamId!,
    );
    for (const group of ['a', 'b']) await t.redis.xreadgroup('GROUP', group, 'c1', 'COUNT', 10, 'STREAMS', stream, '>');
    await t.redis.xack(stream, 'a', ...ids); // a: all done
    await t.redis.xack(stream, 'b', ...ids.slice(0, 4)); // b: 4 done, the 5th onwards pending

    const result = await trimBehindGroups(t.redis, stream, [], { exact: true });
    expect(result).toEqual({ trimmed: 4, safeBefore: ids[4] });
    const left = (await t.redis.xrange(stream, '-', '+')).map(([id]) => id);
    expect(left).toEqual(ids.slice(4));
  });

  it('when a configured group does not exist yet, then the stream is not trimmed (it would read from the start)', async () => {
    t = testBus();
    const stream = t.keys.stream('JOB_CREATED');
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    await ensureGroup(t.redis, stream, 'dispatcher');
    await publisher.publishMany(Array.from({ length: 5 }, (_, i) => jobCreated(i)));
    await t.redis.xreadgroup('GROUP', 'dispatcher', 'c1', 'COUNT', 10, 'STREAMS', stream, '>');
    await t.redis.xack(stream, 'dispatcher', ...(await t.redis.xrange(stream, '-', '+')).map(([id]) => id));
    // CONSUMERS.JOB_CREATED also names 'gateway', which has no group here.
    expect(await trimBehindGroups(t.redis, stream, ['dispatcher', 'gateway'], { exact: true })).toEqual({
      trimmed: 0,
      safeBefore: null,
    });
    expect(await t.redis.xlen(stream)).toBe(5);
  });

  // Both clients: a single publish on an auto-pipelined one (the services') takes its own path.
  it.each([
    ['its own pipeline', false],
    ['auto-pipelining', true],
  ])(
    'when a stream is past its budget because a group fell behind, then publishes (%s) fail with STREAM_OVER_BUDGET and no entry is lost; once the group catches up, publishes pass',
    async (_name, autoPipelined) => {
      t = testBus();
      const stream = t.keys.stream('JOB_CREATED');
      await ensureGroup(t.redis, stream, 'slow');
      const client = autoPipelined ? t.redis.duplicate({ enableAutoPipelining: true }) : t.redis;
      if (autoPipelined) onTestFinished(() => client.disconnect());
      const publisher = createPublisher({
        redis: client,
        keys: t.keys,
        maxLen: 5,
        budgetCheckMs: 0,
        groupsOf: () => ['slow'],
      });
      for (let i = 0; i < 5; i++) await publisher.publish(jobCreated(i));
      const refused = await publisher.publish(jobCreated(5)).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(StreamOverBudgetError);
      expect(refused).toMatchObject({ code: 'STREAM_OVER_BUDGET', retryable: true, length: 5, budget: 5 });
      expect(await t.redis.xlen(stream)).toBe(5);
      const [stats] = await streamStats(t.redis, t.keys, ['JOB_CREATED'], { maxLen: 5 });
      expect(stats!.overBudget).toBe(true);

      // The group reads and acks everything: the publisher's next check trims behind it.
      const read = (await t.redis.xreadgroup('GROUP', 'slow', 'c1', 'COUNT', 10, 'STREAMS', stream, '>')) as [
        string,
        [string, string[]][],
      ][];
      await t.redis.xack(stream, 'slow', ...read[0]![1].map(([id]) => id));
      // Approximate trimming keeps a small stream whole: the bound moved, but the node stays.
      await trimBehindGroups(t.redis, stream, ['slow'], { exact: true });
      expect((await publisher.publish(jobCreated(6))).streamId).toMatch(/^\d+-\d+$/);
    },
  );

  it('when replicas are required and the Redis has none, then the publish fails with REPLICATION_TIMEOUT (the write itself stands)', async () => {
    t = testBus();
    const publisher = createPublisher({ redis: t.redis, keys: t.keys, replication: { replicas: 1, timeoutMs: 50 } });
    const err = await publisher.publish(jobCreated(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplicationTimeoutError);
    expect(err).toMatchObject({ code: 'REPLICATION_TIMEOUT', acked: 0, wanted: 1 });
    const other = createPublisher({
      redis: t.redis,
      keys: t.keys,
      replication: { replicas: 1, timeoutMs: 50, types: ['JOB_REQUESTED'] },
    });
    expect((await other.publish(jobCreated(2))).streamId).not.toBeNull();
  });
});

describe('consumer clean-up and missing streams', () => {
  it('when a consumer of the group is gone (nothing pending, idle), then the periodic pass removes it, and never one that holds entries', async () => {
    t = testBus();
    const stream = t.keys.stream('JOB_CREATED');
    await ensureGroup(t.redis, stream, 'g');
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    await publisher.publish(jobCreated(1));
    // 'gone-idle' read nothing; 'gone-holding' holds an entry it never acked.
    await t.redis.xgroup('CREATECONSUMER', stream, 'g', 'gone-idle');
    await t.redis.xreadgroup('GROUP', 'g', 'gone-holding', 'COUNT', 1, 'STREAMS', stream, '>');
    const consumer = createConsumer({
      redis: t.redis,
      keys: t.keys,
      type: 'JOB_CREATED',
      group: 'g',
      consumer: 'live',
      handler: async () => {},
      claimTimeoutMs: 600_000,
      maintenanceMs: 100,
      consumerIdleMs: 50,
    });
    consumers.push(consumer);
    await consumer.start();
    const names = async () =>
      ((await t.redis.xinfo('CONSUMERS', stream, 'g')) as unknown[][]).map((c) => String(c[1])).sort();
    await waitFor(async () => !(await names()).includes('gone-idle'), { timeoutMs: 5_000, what: 'gone-idle removed' });
    expect(await names()).toEqual(['gone-holding', 'live']);
  });

  it('when a configured stream or group does not exist, then the stats say missing rather than an idle zero', async () => {
    t = testBus();
    const [row] = await streamStats(t.redis, t.keys, ['JOB_CREATED']);
    expect(row).toMatchObject({ length: 0, missing: true });
    expect(row!.groups.every((g) => g.missing)).toBe(true);

    await ensureGroup(t.redis, t.keys.stream('JOB_CREATED'), 'dispatcher');
    const [after] = await streamStats(t.redis, t.keys, ['JOB_CREATED']);
    expect(after!.missing).toBe(false);
    expect(after!.groups.find((g) => g.group === 'dispatcher')!.missing).toBe(false);
    expect(after!.groups.find((g) => g.group === 'gateway')!.missing).toBe(true);
  });
});
