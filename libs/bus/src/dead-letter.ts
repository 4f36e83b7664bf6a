import { fieldsToRecord, type EventType, type Keys } from '@pixsim/contracts';
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
    .xadd(keys.deadLetter(type), 'MAXLEN', '~', String(maxLen), '*', ...sanitizePairs(fields ?? []), ...meta)
    .xack(keys.stream(type), info.group, info.sourceId)
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

export interface DeadLetter {
  dlqId: string;
  reason: string;
  code: string;
  group: string;
  consumer: string;
  sourceId: string;
  deliveries: number;
  at: string;
  /** The original entry's fields (id, type, v, at, traceparent, data …). */
  fields: Record<string, string>;
}

export async function listDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  opts: { count?: number; after?: string } = {},
): Promise<DeadLetter[]> {
  const start = opts.after ? `(${opts.after}` : '-';
  const entries = (await redis.xrange(keys.deadLetter(type), start, '+', 'COUNT', opts.count ?? 100)) as [
    string,
    string[],
  ][];
  return entries.map(toDeadLetter);
}

async function readDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  ids: readonly string[],
): Promise<DeadLetter[]> {
  const found = await Promise.all(
    ids.map((id) => redis.xrange(keys.deadLetter(type), id, id) as Promise<[string, string[]][]>),
  );
  return found.flat().map(toDeadLetter);
}

function toDeadLetter([dlqId, raw]: [string, string[]]): DeadLetter {
  const all = fieldsToRecord(raw);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!k.startsWith('dlq_')) fields[k] = v;
  return {
    dlqId,
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
 * each in one MULTI. The publish de-duplication is bypassed on purpose.
 */
export async function replayDeadLetters(
  redis: RedisClient,
  keys: Keys,
  type: EventType,
  opts: { ids?: readonly string[]; count?: number; maxLen?: number } = {},
): Promise<{ replayed: number }> {
  const letters = opts.ids
    ? await readDeadLetters(redis, keys, type, opts.ids)
    : await listDeadLetters(redis, keys, type, { count: opts.count ?? 1000 });
  let replayed = 0;
  for (const letter of letters) {
    const pairs = Object.entries(letter.fields).flat();
    const replies = await redis
      .multi()
      .xadd(keys.stream(type), 'MAXLEN', '~', String(opts.maxLen ?? 1_000_000), '*', ...pairs)
      .xdel(keys.deadLetter(type), letter.dlqId)
      .exec();
    if (replies && !replies.some(([err]) => err)) replayed++;
  }
  return { replayed };
}
