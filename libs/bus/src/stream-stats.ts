import { CONSUMERS, EVENT_TYPES, type EventType, type Keys } from '@pixsim/contracts';
import type { RedisClient } from './types.js';

export interface GroupStats {
  group: string;
  consumers: number;
  /** Entries not yet delivered to the group (Redis 7 XINFO lag; null when Redis cannot tell). */
  lag: number | null;
  /** Delivered, not yet acknowledged. */
  pending: number;
  /** Idle time of the oldest pending entry, ms. */
  oldestPendingMs: number | null;
}

export interface StreamStats {
  type: EventType;
  stream: string;
  length: number;
  deadLetters: number;
  groups: GroupStats[];
}

/** What `redis-cli LLEN arq:queue:default` used to answer, for every stream and group. */
export async function streamStats(
  redis: RedisClient,
  keys: Keys,
  types: readonly EventType[] = EVENT_TYPES,
): Promise<StreamStats[]> {
  return Promise.all(types.map((type) => statsOf(redis, keys, type)));
}

async function statsOf(redis: RedisClient, keys: Keys, type: EventType): Promise<StreamStats> {
  const stream = keys.stream(type);
  const [length, deadLetters] = await Promise.all([redis.xlen(stream), redis.xlen(keys.deadLetter(type))]);
  let infos: Record<string, unknown>[] = [];
  if (length > 0 || (await redis.exists(stream))) {
    const raw = (await redis.xinfo('GROUPS', stream)) as unknown[][];
    infos = raw.map(pairsToObject);
  }
  const known = new Map(infos.map((info) => [String(info.name), info]));
  const names = [...new Set([...CONSUMERS[type], ...known.keys()])];
  const groups = await Promise.all(
    names.map(async (group): Promise<GroupStats> => {
      const info = known.get(group);
      if (!info) return { group, consumers: 0, lag: length, pending: 0, oldestPendingMs: null };
      const pending = Number(info.pending ?? 0);
      let oldestPendingMs: number | null = null;
      if (pending > 0) {
        const rows = (await redis.xpending(stream, group, '-', '+', 1)) as [string, string, number, number][];
        oldestPendingMs = rows[0] ? Number(rows[0][2]) : null;
      }
      const lag = info.lag === null || info.lag === undefined ? null : Number(info.lag);
      return { group, consumers: Number(info.consumers ?? 0), lag, pending, oldestPendingMs };
    }),
  );
  return { type, stream, length, deadLetters, groups };
}

function pairsToObject(pairs: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[String(pairs[i])] = pairs[i + 1];
  return out;
}
