import type { RedisClient } from './types.js';

/**
 * Creates the consumer group (and the stream) if missing. A new group starts
 * at `startId` ('0' by default: entries published before the group existed are
 * not lost; handlers are idempotent, so history is safe to see).
 */
export async function ensureGroup(redis: RedisClient, stream: string, group: string, startId = '0'): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
  }
}

export const isNoGroupError = (err: unknown): boolean => String((err as Error)?.message).includes('NOGROUP');

/** How many times each entry was delivered, from the group's pending list. */
export async function deliveryCounts(
  redis: RedisClient,
  stream: string,
  group: string,
  consumer: string,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (ids.length === 0) return counts;
  const sorted = [...ids].sort(compareStreamIds);
  const rows = (await redis.xpending(stream, group, sorted[0]!, sorted.at(-1)!, ids.length * 2, consumer)) as [
    string,
    string,
    number,
    number,
  ][];
  for (const [id, , , deliveries] of rows) counts.set(id, Number(deliveries));
  return counts;
}

export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-');
  const [bm, bs] = b.split('-');
  const byMs = BigInt(am!) - BigInt(bm!);
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(as ?? '0') - BigInt(bs ?? '0');
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}
