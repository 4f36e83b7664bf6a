import { afterEach, describe, expect, it } from 'vitest';
import { AckBatcher } from '../src/acks.js';
import { testBus } from './helpers.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => cleanup?.());

/** A stream with `n` entries delivered to group g (pending), and a count of the XACKs sent. */
async function pendingEntries(n: number) {
  const bus = testBus();
  cleanup = bus.cleanup;
  const stream = bus.keys.stream('JOB_CREATED');
  await bus.redis.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
  for (let i = 0; i < n; i++) await bus.redis.xadd(stream, '*', 'n', String(i));
  const read = (await bus.redis.xreadgroup('GROUP', 'g', 'c', 'COUNT', n, 'STREAMS', stream, '>')) as [
    string,
    [string, string[]][],
  ][];
  const ids = read[0]![1].map(([id]) => id);
  const xacks: number[] = [];
  const xack = bus.redis.xack.bind(bus.redis);
  bus.redis.xack = ((...args: Parameters<typeof xack>) => {
    xacks.push(args.length - 2);
    return xack(...args);
  }) as typeof xack;
  const pending = async () => ((await bus.redis.xpending(stream, 'g')) as [number])[0];
  return { redis: bus.redis, stream, ids, xacks, pending };
}

describe('batched acks', () => {
  it('when entries are acked within the linger time of each other, then one XACK carries them all', async () => {
    const t = await pendingEntries(10);
    const acks = new AckBatcher(t.redis, t.stream, 'g', quiet, { lingerMs: 20 });
    const sent = t.ids.map((id, i) => new Promise<void>((r) => setTimeout(r, i)).then(() => acks.ack(id)));
    await Promise.all(sent);
    await acks.flush();
    expect(t.xacks).toEqual([10]);
    expect(await t.pending()).toBe(0);
  });

  it('when a batch fills up, then it goes at once without waiting for the linger time', async () => {
    const t = await pendingEntries(5);
    const acks = new AckBatcher(t.redis, t.stream, 'g', quiet, { lingerMs: 60_000, maxBatch: 5 });
    const started = Date.now();
    await Promise.all(t.ids.map((id) => acks.ack(id)));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(t.xacks).toEqual([5]);
  });

  it('when the consumer stops, then flush sends what is queued without waiting for the linger time', async () => {
    const t = await pendingEntries(3);
    const acks = new AckBatcher(t.redis, t.stream, 'g', quiet, { lingerMs: 60_000 });
    for (const id of t.ids) void acks.ack(id);
    const started = Date.now();
    await acks.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await t.pending()).toBe(0);
  });
});
