import { afterEach, describe, expect, it } from 'vitest';
import { SchemaError } from '@pixsim/contracts';
import { createPublisher, listDeadLetters, replayDeadLetters, streamStats } from '../src/index.js';
import { waitFor } from '@pixsim/testkit';
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
