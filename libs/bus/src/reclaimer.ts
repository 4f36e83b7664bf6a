import type { BusLogger, RawEntry, RedisClient } from './types.js';
import { deliveryCounts } from './group.js';

export interface ReclaimerOptions {
  redis: RedisClient;
  stream: string;
  group: string;
  consumer: string;
  /** Entries idle longer than this are taken from whoever holds them. */
  claimTimeoutMs: number;
  logger: BusLogger;
}

/**
 * Two duties on the pending list:
 * - keep-alive: resets the idle time of entries this consumer is still
 *   handling, so a slow but live handler is never taken over;
 * - take-over: claims entries idle past the claim timeout (their consumer
 *   died) with XAUTOCLAIM, and reports how often each was delivered.
 */
export function createReclaimer(opts: ReclaimerOptions) {
  const { redis, stream, group, consumer } = opts;
  let cursor = '0-0';

  return {
    async keepAlive(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      // min-idle 0 + JUSTID: resets idle without counting a delivery.
      await redis.xclaim(stream, group, consumer, 0, ...ids, 'JUSTID');
    },

    async claim(count: number): Promise<Array<{ entry: RawEntry; deliveries: number }>> {
      if (count <= 0) return [];
      const reply = (await redis.xautoclaim(stream, group, consumer, opts.claimTimeoutMs, cursor, 'COUNT', count)) as [
        string,
        RawEntry[],
        string[]?,
      ];
      cursor = reply[0];
      const entries = reply[1] ?? [];
      if (entries.length === 0) return [];
      const counts = await deliveryCounts(
        redis,
        stream,
        group,
        consumer,
        entries.map(([id]) => id),
      );
      opts.logger.warn(
        { stream, group, count: entries.length },
        'took over entries from a consumer that stopped answering',
      );
      return entries.map((entry) => ({ entry, deliveries: counts.get(entry[0]) ?? 1 }));
    },
  };
}
