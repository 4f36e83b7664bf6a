import { Schema, type Connection } from 'mongoose';
import type { EventData } from '@pixsim/contracts';
import { defineModel, isDuplicateKey } from '@pixsim/persistence';
import { DependencyDownError } from '../http/errors.js';

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
  /**
   * Inserts the record, or returns the live one already there for (user, key): the unique
   * index decides. A record older than the key window (by `record.created_at`) is not
   * honoured: it is removed and the claim made again.
   */
  claim(record: IdempotencyRecord): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
}

/**
 * How long a key is honoured: a retry with the same key within this window of its first
 * use answers the same job; after it, the key may make a new job. The TTL index removes
 * records some time after the window (its monitor runs about every minute), so the claim
 * also treats a record past the window as gone.
 */
const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/** Rounds of insert-then-read before giving up: a round only repeats when the record vanished between the two. */
const MAX_CLAIM_ROUNDS = 5;

const schema = new Schema<IdempotencyRecord>(
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
// Keys are a retry aid, not an archive: swept once the window is over.
schema.index({ created_at: 1 }, { expireAfterSeconds: IDEMPOTENCY_WINDOW_MS / 1000 });

export const idempotencyModel = defineModel<IdempotencyRecord>('IdempotencyKey', schema);

export async function createIdempotencyStore(conn: Connection): Promise<IdempotencyStore> {
  await idempotencyModel.model(conn).init();
  const keys = idempotencyModel.collection(conn);
  return {
    async claim(record) {
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        try {
          await keys.insertOne(record);
          return { claimed: true };
        } catch (err) {
          if (!isDuplicateKey(err, 'key')) throw err;
        }
        const existing = await keys.findOne(
          { user_id: record.user_id, key: record.key },
          { readPreference: 'primary' },
        );
        // Vanished between the insert and the read (the TTL monitor swept it): claim again.
        if (!existing) continue;
        if (record.created_at.getTime() - existing.created_at.getTime() < IDEMPOTENCY_WINDOW_MS)
          return { claimed: false, existing };
        // Past the window but not swept yet: it is gone for the client; remove exactly that one and claim again.
        await keys.deleteOne({ _id: existing._id, created_at: existing.created_at });
      }
      // Only a key claimed and swept over and over lands here: the client may simply retry.
      throw new DependencyDownError('the idempotency store');
    },
  };
}
