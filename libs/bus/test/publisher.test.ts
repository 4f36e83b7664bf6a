import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError } from '@pixsim/contracts';
import { createPublisher, listDeadLetters, replayDeadLetters, streamStats } from '../src/index.js';
import { REDIS_URL, waitFor } from '@pixsim/testkit';
import { jobCreated, testBus } from './helpers.js';

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function setup() {
  const t = testBus();
  cleanups.push(t.cleanup);
  return { ...t, publisher: createPublisher({ redis: t.redis, keys: t.keys, dedupeTtlSec: 3600 }) };
}

describe('publisher', () => {
  it('when the same event id is published twice, then the stream holds it once', async () => {
    const t = setup();
    const first = await t.publisher.publish(jobCreated(1));
    const again = await t.publisher.publish(jobCreated(1));
    const batch = await t.publisher.publishMany([jobCreated(1), jobCreated(2), jobCreated(2)]);
    expect(first.streamId).toMatch(/^\d+-\d+$/);
    expect(again.streamId).toBeNull();
    expect(batch.map((r) => r.streamId === null)).toEqual([true, false, true]);
    expect(await t.redis.xlen(t.keys.stream('JOB_CREATED'))).toBe(2);
  });

  it('when the payload breaks its schema, then publish throws a SchemaError naming the field and writes nothing', async () => {
    const t = setup();
    const bad = jobCreated(1);
    (bad.data as { priority: unknown }).priority = 'high';
    await expect(t.publisher.publish(bad)).rejects.toThrow(SchemaError);
    await expect(t.publisher.publish(bad)).rejects.toThrow(/priority/);
    expect(await t.redis.xlen(t.keys.stream('JOB_CREATED'))).toBe(0);
  });

  it('when entries are published, then each carries the envelope fields', async () => {
    const t = setup();
    await t.publisher.publish({ ...jobCreated(1), at: '2026-01-01T00:00:00.000Z' });
    const fields = ((await t.redis.xrange(t.keys.stream('JOB_CREATED'), '-', '+')) as [string, string[]][])[0]![1];
    expect(fields.filter((_, i) => i % 2 === 0)).toEqual(['id', 'type', 'v', 'at', 'data']);
    expect(fields.slice(0, 8)).toEqual([
      'id',
      'job-1:JOB_CREATED',
      'type',
      'JOB_CREATED',
      'v',
      '1',
      'at',
      '2026-01-01T00:00:00.000Z',
    ]);
  });
});

describe('publisher on an auto-pipelined client', () => {
  /** The services' client: commands sent in one event-loop turn leave in one write. */
  function setupAutoPipelined() {
    const t = testBus();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    cleanups.push(t.cleanup, async () => redis.disconnect());
    return { ...t, redis, publisher: createPublisher({ redis, keys: t.keys, dedupeTtlSec: 3600 }) };
  }

  /** Counts the writes the client makes on its socket. */
  function countWrites(redis: Redis): () => number {
    const socket = (redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: unknown, ...args: unknown[]) {
      writes += 1;
      return write.apply(this, args);
    };
    return () => writes;
  }

  it('when fifty jobs publish in one turn, then their commands share one write and each gets its own entry', async () => {
    const t = setupAutoPipelined();
    await t.publisher.publish(jobCreated(0)); // connects and loads the script
    const writes = countWrites(t.redis);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => t.publisher.publish(jobCreated(i + 1))));
    expect(writes()).toBe(1);
    expect(new Set(results.map((r) => r.streamId)).size).toBe(50);
    expect(results.every((r) => /^\d+-\d+$/.test(r.streamId ?? ''))).toBe(true);
    expect(await t.redis.xlen(t.keys.stream('JOB_CREATED'))).toBe(51);
  });

  it('when a batch repeats event ids, then the stream holds each once and the results follow the input order', async () => {
    const t = setupAutoPipelined();
    const batch = await t.publisher.publishMany([jobCreated(1), jobCreated(2), jobCreated(1), jobCreated(3)]);
    expect(batch.map((r) => r.streamId === null)).toEqual([false, false, true, false]);
    const entries = (await t.redis.xrange(t.keys.stream('JOB_CREATED'), '-', '+')) as [string, string[]][];
    expect(entries.map(([, f]) => f[1])).toEqual(['job-1:JOB_CREATED', 'job-2:JOB_CREATED', 'job-3:JOB_CREATED']);
    expect(entries.map(([id]) => id)).toEqual([batch[0]!.streamId, batch[1]!.streamId, batch[3]!.streamId]);
  });

  it('when Redis refuses the entry, then the publish rejects with its error', async () => {
    const t = setupAutoPipelined();
    await t.redis.set(t.keys.stream('JOB_CREATED'), 'not a stream');
    await expect(t.publisher.publish(jobCreated(1))).rejects.toThrow(/WRONGTYPE/);
    const plain = createPublisher({ redis: t.redis, keys: t.keys });
    await expect(plain.publishMany([jobCreated(2), jobCreated(3)])).rejects.toThrow(/WRONGTYPE/);
  });
});

describe('dead letters and stats', () => {
  it('when dead letters are replayed after the fault is fixed, then they are handled and the DLQ empties', async () => {
    const t = setup();
    let broken = true;
    const handled: string[] = [];
    const consumer = t.consumer(
      async (e) => {
        if (broken) throw new Error('downstream bug');
        handled.push(e.id);
      },
      { maxAttempts: 1 },
    );
    await consumer.start();
    cleanups.push(() => consumer.stop());
    await t.publisher.publishMany([jobCreated(1), jobCreated(2), jobCreated(3)]);
    await waitFor(async () => (await t.redis.xlen(t.keys.deadLetter('JOB_CREATED'))) === 3, {
      timeoutMs: 5_000,
      what: 'three dead letters',
    });

    const stats = await streamStats(t.redis, t.keys, ['JOB_CREATED']);
    expect(stats[0]).toMatchObject({ length: 3, deadLetters: 3 });
    expect(stats[0]!.groups.find((g) => g.group === 'dispatcher')).toMatchObject({ pending: 0, lag: 0, consumers: 1 });
    expect(stats[0]!.groups.find((g) => g.group === 'gateway')).toMatchObject({ consumers: 0, lag: 3 });

    broken = false;
    const [first] = await listDeadLetters(t.redis, t.keys, 'JOB_CREATED');
    expect(await replayDeadLetters(t.redis, t.keys, 'JOB_CREATED', { ids: [first!.dlqId] })).toEqual({ replayed: 1 });
    await waitFor(() => handled.length === 1, { timeoutMs: 5_000, what: 'one replayed' });
    expect(await replayDeadLetters(t.redis, t.keys, 'JOB_CREATED')).toEqual({ replayed: 2 });
    await waitFor(() => handled.length === 3, { timeoutMs: 5_000, what: 'all replayed' });
    expect(handled.sort()).toEqual(['job-1:JOB_CREATED', 'job-2:JOB_CREATED', 'job-3:JOB_CREATED']);
    expect(await t.redis.xlen(t.keys.deadLetter('JOB_CREATED'))).toBe(0);
  });
});
