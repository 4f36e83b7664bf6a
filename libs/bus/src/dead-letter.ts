import { fieldsToRecord, type EventType, type Keys } from '@pixsim/contracts';
import { compareStreamIds } from './group.js';
import type { RedisClient } from './types.js';

const DLQ_FIELDS = [
  'dlq_reason',
  'dlq_code',
  'dlq_group',
  'dlq_consumer',
  'dlq_source_id',
  'dlq_deliveries',
  'dlq_at',
] as const;

export interface DeadLetterInfo {
  reason: string;
  code: string;
  group: string;
  consumer: string;
  sourceId: string;
  deliveries: number;
  /** The stream partition the entry came from (0 by default), and goes back to on replay. */
  partition?: number;
}

/**
 * Moves an entry to `<stream>:dlq` with the reason and its original fields,
 * and acknowledges it, in one MULTI so it is never in both places or neither.
 */
export async function moveToDeadLetter(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  fields: readonly string[] | null,
  info: DeadLetterInfo,
  maxLen = 100_000,
): Promise<void> {
  const meta = [
    'dlq_reason',
    info.reason.slice(0, 2000),
    'dlq_code',
    info.code,
    'dlq_group',
    info.group,
    'dlq_consumer',
    info.consumer,
    'dlq_source_id',
    info.sourceId,
    'dlq_deliveries',
    String(info.deliveries),
    'dlq_at',
    new Date().toISOString(),
  ];
  const replies = await redis
    .multi()
    .xadd(
      keys.deadLetter(type, info.partition),
      'MAXLEN',
      '~',
      String(maxLen),
      '*',
      ...sanitizePairs(fields ?? []),
      ...meta,
    )
    .xack(keys.stream(type, info.partition), info.group, info.sourceId)
    .exec();
  const failed = replies?.find(([err]) => err);
  if (!replies || failed) throw failed?.[0] ?? new Error('dead-letter MULTI was discarded');
}

/** Drops dlq_* pairs from a field list (a replayed entry that fails again is re-annotated). */
function sanitizePairs(fields: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (!(DLQ_FIELDS as readonly string[]).includes(fields[i]!)) out.push(fields[i]!, fields[i + 1]!);
  }
  return out;
}

/** A dead letter as listed: why and where it failed (as moveToDeadLetter recorded it), and the entry. */
export interface DeadLetter extends Required<DeadLetterInfo> {
  dlqId: string;
  at: string;
  /** The original entry's fields (id, type, v, at, traceparent, data …). */
  fields: Record<string, string>;
}

/**
 * Oldest first across every partition: each partition's first `count` after
 * `after` (exclusive), merged by id. Entry ids are times, so one cursor pages
 * through all partitions at once.
 */
export async function listDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  opts: { count?: number; after?: string } = {},
): Promise<DeadLetter[]> {
  const start = opts.after ? `(${opts.after}` : '-';
  const count = opts.count ?? 100;
  const perPartition = await Promise.all(
    Array.from({ length: keys.partitions }, async (_, partition) => {
      const entries = (await redis.xrange(keys.deadLetter(type, partition), start, '+', 'COUNT', count)) as [
        string,
        string[],
      ][];
      return entries.map((e) => toDeadLetter(e, partition));
    }),
  );
  return perPartition
    .flat()
    .sort((a, b) => compareStreamIds(a.dlqId, b.dlqId) || a.partition - b.partition)
    .slice(0, count);
}

/** The dead letters with these ids, from whichever partition holds them. */
async function readDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  ids: readonly string[],
): Promise<DeadLetter[]> {
  const found = await Promise.all(
    ids.flatMap((id) =>
      Array.from({ length: keys.partitions }, async (_, partition) =>
        ((await redis.xrange(keys.deadLetter(type, partition), id, id)) as [string, string[]][]).map((e) =>
          toDeadLetter(e, partition),
        ),
      ),
    ),
  );
  return found.flat();
}

function toDeadLetter([dlqId, raw]: [string, string[]], partition: number): DeadLetter {
  const all = fieldsToRecord(raw);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!k.startsWith('dlq_')) fields[k] = v;
  return {
    dlqId,
    partition,
    fields,
    reason: all.dlq_reason ?? '',
    code: all.dlq_code ?? '',
    group: all.dlq_group ?? '',
    consumer: all.dlq_consumer ?? '',
    sourceId: all.dlq_source_id ?? '',
    deliveries: Number(all.dlq_deliveries ?? 0),
    at: all.dlq_at ?? '',
  };
}

/**
 * Re-publishes dead letters to their stream (every group sees them again;
 * handlers are idempotent on the event id) and removes them from the DLQ,
 * each in one MULTI on the letter's own partition (stream and dead letters
 * share a slot). The publish de-duplication is bypassed on purpose, and so is
 * the stream's budget: an operator's replay is bounded by the dead letters.
 */
export async function replayDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  opts: { ids?: readonly string[]; count?: number } = {},
): Promise<{ replayed: number }> {
  const letters = opts.ids
    ? await readDeadLetters(redis, keys, type, opts.ids)
    : await listDeadLetters(redis, keys, type, { count: opts.count ?? 1000 });
  let replayed = 0;
  for (const letter of letters) {
    const pairs = Object.entries(letter.fields).flat();
    const replies = await redis
      .multi()
      .xadd(keys.stream(type, letter.partition), '*', ...pairs)
      .xdel(keys.deadLetter(type, letter.partition), letter.dlqId)
      .exec();
    if (replies && !replies.some(([err]) => err)) replayed++;
  }
  return { replayed };
}
