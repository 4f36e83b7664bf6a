import type { Redis } from 'ioredis';
import type { LogPort } from '@pixsim/contracts';
import type { RawEntry, RedisClient } from './types.js';
import { deliveryCounts } from './group.js';

export interface ReclaimerOptions {
  redis: RedisClient;
  stream: string;
  group: string;
  consumer: string;
  /** Entries idle longer than this are taken from whoever holds them. */
  claimTimeoutMs: number;
  logger: LogPort;
}

/**
 * Removes the group's consumers with nothing pending that have been idle past
 * ARGV[2] ms (never the caller): in one script, so a consumer that reads between
 * the look and the removal cannot lose its pending entries to DELCONSUMER.
 */
const REMOVE_IDLE_CONSUMERS = `
local removed = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #c, 2 do info[c[i]] = c[i + 1] end
  if info['pending'] == 0 and info['idle'] > tonumber(ARGV[2]) and info['name'] ~= ARGV[3] then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    removed[#removed + 1] = info['name']
  end
end
return removed
`;

/**
 * Three duties on the pending list:
 * - keep-alive: resets the idle time of entries this consumer is still
 *   handling, so a slow but live handler is never taken over;
 * - take-over: claims entries idle past the claim timeout (their consumer
 *   died) with XAUTOCLAIM, and reports how often each was delivered;
 * - clean-up: removes consumers that are gone from the group.
 */
export function createReclaimer(opts: ReclaimerOptions) {
  const { redis, stream, group, consumer } = opts;
  let cursor = '0-0';

  return {
    async keepAlive(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      // min-idle 0 + JUSTID: resets idle without counting a delivery.
      // (Typed through Redis: the union's overloads do not combine; a Cluster takes the same call.)
      await (redis as Redis).xclaim(stream, group, consumer, 0, ...ids, 'JUSTID');
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

    /** Consumers that are gone (scale-downs, rollouts): nothing pending, idle past `idleMs`. */
    async removeIdleConsumers(idleMs: number): Promise<string[]> {
      return (await redis.eval(REMOVE_IDLE_CONSUMERS, 1, stream, group, String(idleMs), consumer)) as string[];
    },
  };
}
