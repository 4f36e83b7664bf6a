import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { deleteKeys, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { createWindowCounter, type WindowCounter, type WindowVerdict } from '../src/http/window-counter.js';

/** A connected client that counts the commands sent on it (MULTI, EXEC and what is between them). */
async function counted(): Promise<{ redis: Redis; sent: () => number }> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping(); // connected: the handshake's commands are not counted
  let sent = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    sent++;
    return send(...args);
  }) as Redis['sendCommand'];
  return { redis, sent: () => sent };
}

describe('window counter (Redis, claimed in blocks)', () => {
  let redis: Redis;
  const prefix = `${uniqueName('wc')}:`;
  const open: WindowCounter[] = [];
  const counter = (o: { blockShare?: number; windowMs?: number; clock?: () => number } = {}) => {
    const c = createWindowCounter({ redis, prefix, windowMs: o.windowMs ?? 60_000, ...o });
    open.push(c);
    return c;
  };
  const takeN = async (c: WindowCounter, key: string, max: number, n: number): Promise<WindowVerdict[]> => {
    const out: WindowVerdict[] = [];
    for (let i = 0; i < n; i++) out.push(await c.take(key, max));
    return out;
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('when one replica takes a busy key, then it asks Redis once per block and admits exactly the limit', async () => {
    const { redis: client, sent } = await counted();
    try {
      const c = createWindowCounter({ redis: client, prefix, windowMs: 60_000 });
      open.push(c);
      const verdicts = await takeN(c, 'busy', 1_000, 1_100);
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(1_000);
      expect(verdicts.slice(0, 1_000).every((v) => v.allowed)).toBe(true);
      // Blocks of 1, 2, 4, 8 and then 10 (1% of 1,000): about a hundred claims of five commands, not 1,100.
      expect(sent()).toBeLessThan(110 * 5);
      const refused = verdicts[1_099]!;
      expect(refused.retryAfterS).toBeGreaterThan(0);
      expect(refused.retryAfterS).toBeLessThanOrEqual(60);
      // Once the window is known to be full, nothing more is asked.
      const before = sent();
      expect((await takeN(c, 'busy', 1_000, 50)).some((v) => v.allowed)).toBe(false);
      expect(sent()).toBe(before);
    } finally {
      client.disconnect();
    }
  });

  it('when three replicas share a key, then together they never admit more than the limit', async () => {
    const replicas = [counter(), counter(), counter()];
    const verdicts = await Promise.all(
      replicas.map((c) => Promise.all(Array.from({ length: 400 }, () => c.take('shared', 900)))),
    );
    const admitted = verdicts.flat().filter((v) => v.allowed).length;
    expect(admitted).toBeLessThanOrEqual(900);
    // What a replica claimed and did not use is lost: at most one block (9) each.
    expect(admitted).toBeGreaterThanOrEqual(900 - 3 * 9);
    // Every admitted request holds a position counted in Redis.
    expect(Number(await redis.get(`${prefix}shared`))).toBeGreaterThanOrEqual(admitted);
  });

  it('when the block share is 0, then every take asks Redis and counts one', async () => {
    const c = counter({ blockShare: 0 });
    const verdicts = await takeN(c, 'strict', 3, 5);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false, false]);
    expect(Number(await redis.get(`${prefix}strict`))).toBe(4); // the fifth was refused locally
  });

  it('when a window ends, then its key starts over with a fresh count', async () => {
    const c = counter({ windowMs: 300 });
    expect((await takeN(c, 'short', 2, 3)).map((v) => v.allowed)).toEqual([true, true, false]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await takeN(c, 'short', 2, 3)).map((v) => v.allowed)).toEqual([true, true, false]);
  });

  it('when many requests of one key arrive together, then one claim is in flight and the rest wait for it', async () => {
    const { redis: client, sent } = await counted();
    try {
      const c = createWindowCounter({ redis: client, prefix, windowMs: 60_000 });
      open.push(c);
      const first = c.take('burst', 10_000);
      expect(first).toBeInstanceOf(Promise);
      const rest = Array.from({ length: 20 }, () => c.take('burst', 10_000));
      const all = await Promise.all([first, ...rest]);
      expect(all.every((v) => v.allowed)).toBe(true);
      // Claims of 1, 2, 4, 8, 16: five, one after the other, of five commands each.
      expect(sent()).toBe(5 * 5);
    } finally {
      client.disconnect();
    }
  });

  it('when Redis cannot be reached, then the take rejects and the next one asks again', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const c = createWindowCounter({ redis: dead, prefix, windowMs: 60_000 });
    open.push(c);
    await expect(c.take('down', 5)).rejects.toThrow();
    await expect(c.take('down', 5)).rejects.toThrow();
    dead.disconnect();
  });
});
