import { CONSUMERS, EVENT_TYPES, type EventType, type Keys } from '@pixsim/contracts';
import { DEFAULT_STREAM_MAX_LEN } from './publisher.js';
import { pairsToObject } from './trim.js';
import type { RedisClient } from './types.js';

export interface GroupStats {
  group: string;
  /** Consumers in the group (the most any partition has: every consumer reads every partition). */
  consumers: number;
  /** Entries not yet delivered to the group (Redis 7 XINFO lag; null when Redis cannot tell). */
  lag: number | null;
  /** Delivered, not yet acknowledged. */
  pending: number;
  /** Idle time of the oldest pending entry, ms. */
  oldestPendingMs: number | null;
  /** The group does not exist (on some partition): its lag of "everything" is not an idle system. */
  missing: boolean;
}

export interface PartitionStats {
  partition: number;
  stream: string;
  length: number;
  deadLetters: number;
  /** The stream key does not exist: nobody created it (a wrong name or prefix?). */
  missing: boolean;
  groups: GroupStats[];
}

export interface StreamStats {
  type: EventType;
  /** The first partition's stream (the only one with one partition). */
  stream: string;
  /** Sums over the partitions. */
  length: number;
  deadLetters: number;
  /** Some partition's stream does not exist. */
  missing: boolean;
  /** Some partition holds at least `maxLen` entries: publishes to it are refused. */
  overBudget: boolean;
  groups: GroupStats[];
  partitions: PartitionStats[];
}

export interface StreamStatsOptions {
  /** The budget to report overBudget against (STREAM_MAX_LEN). */
  maxLen?: number;
}

/** What `redis-cli LLEN arq:queue:default` used to answer, for every stream, partition and group. */
export async function streamStats(
  redis: RedisClient,
  keys: Keys,
  types: readonly EventType[] = EVENT_TYPES,
  opts: StreamStatsOptions = {},
): Promise<StreamStats[]> {
  const maxLen = opts.maxLen ?? DEFAULT_STREAM_MAX_LEN;
  return Promise.all(
    types.map(async (type): Promise<StreamStats> => {
      const partitions = await Promise.all(
        Array.from({ length: keys.partitions }, (_, p) => partitionStats(redis, keys, type, p)),
      );
      return {
        type,
        stream: keys.stream(type),
        length: sum(partitions.map((p) => p.length)),
        deadLetters: sum(partitions.map((p) => p.deadLetters)),
        missing: partitions.some((p) => p.missing),
        overBudget: partitions.some((p) => p.length >= maxLen),
        groups: mergeGroups(partitions),
        partitions,
      };
    }),
  );
}

async function partitionStats(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  partition: number,
): Promise<PartitionStats> {
  const stream = keys.stream(type, partition);
  const [length, deadLetters, exists] = await Promise.all([
    redis.xlen(stream),
    redis.xlen(keys.deadLetter(type, partition)),
    redis.exists(stream),
  ]);
  let infos: Record<string, unknown>[] = [];
  if (exists) infos = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(pairsToObject);
  const known = new Map(infos.map((info) => [String(info.name), info]));
  const names = [...new Set([...CONSUMERS[type], ...known.keys()])];
  const groups = await Promise.all(
    names.map(async (group): Promise<GroupStats> => {
      const info = known.get(group);
      if (!info) return { group, consumers: 0, lag: length, pending: 0, oldestPendingMs: null, missing: true };
      const pending = Number(info.pending ?? 0);
      let oldestPendingMs: number | null = null;
      if (pending > 0) {
        const rows = (await redis.xpending(stream, group, '-', '+', 1)) as [string, string, number, number][];
        oldestPendingMs = rows[0] ? Number(rows[0][2]) : null;
      }
      const lag = info.lag === null || info.lag === undefined ? null : Number(info.lag);
      return { group, consumers: Number(info.consumers ?? 0), lag, pending, oldestPendingMs, missing: false };
    }),
  );
  return { partition, stream, length, deadLetters, missing: exists === 0, groups };
}

function mergeGroups(partitions: readonly PartitionStats[]): GroupStats[] {
  const merged = new Map<string, GroupStats>();
  for (const p of partitions) {
    for (const g of p.groups) {
      const m = merged.get(g.group);
      if (!m) {
        merged.set(g.group, { ...g });
        continue;
      }
      m.consumers = Math.max(m.consumers, g.consumers);
      m.lag = m.lag === null || g.lag === null ? null : m.lag + g.lag;
      m.pending += g.pending;
      m.oldestPendingMs =
        m.oldestPendingMs === null ? g.oldestPendingMs : Math.max(m.oldestPendingMs, g.oldestPendingMs ?? 0);
      m.missing ||= g.missing;
    }
  }
  return [...merged.values()];
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
