import { createHash } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { z } from 'zod';
import type { EventData } from '@pixsim/contracts';
import { ValidationFailedError } from '../http/errors.js';
import { isDuplicateKey, modelOn } from '../read-model/mongo-util.js';

/** What one Idempotency-Key bought: the job it named and the command that created it. */
export interface IdempotencyRecord {
  _id: string;
  user_id: string;
  key: string;
  body_hash: string;
  job_id: string;
  /** Kept whole, so a retry after a failed publish re-sends the very same command. */
  request: EventData<'JOB_REQUESTED'>;
  created_at: Date;
}

export interface IdempotencyStore {
  /** Inserts the record, or returns the one already there for (user, key): the unique index decides. */
  claim(record: IdempotencyRecord): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
}

const keySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** The header's value, or undefined when absent; 400 when malformed. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = keySchema.safeParse(Array.isArray(header) ? header.join(',') : header);
  if (!parsed.success)
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}

/** Hash of the parsed body (defaults applied, keys sorted): `{}` and `{"priority":5}` are the same request. */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(stableJson(body)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const schema = new Schema(
  {
    _id: String,
    user_id: String,
    key: String,
    body_hash: String,
    job_id: String,
    request: Schema.Types.Mixed,
    created_at: Date,
  },
  { collection: 'idempotency_keys', versionKey: false },
);
schema.index({ user_id: 1, key: 1 }, { unique: true });
// Keys are a retry aid, not an archive: a day later the same key makes a new job.
schema.index({ created_at: 1 }, { expireAfterSeconds: 86_400 });

export async function createIdempotencyStore(conn: Connection): Promise<IdempotencyStore> {
  const Key = modelOn<IdempotencyRecord>(conn, 'IdempotencyKey', schema);
  await Key.init();
  return {
    async claim(record) {
      try {
        await Key.collection.insertOne(record as never);
        return { claimed: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const existing = await Key.findOne({ user_id: record.user_id, key: record.key }).lean<IdempotencyRecord>().exec();
      if (!existing) throw new Error('idempotency key vanished between the insert and the read');
      return { claimed: false, existing };
    },
  };
}
