import { Schema } from 'mongoose';
import type { PublishInput } from '@pixsim/bus';
import { defineModel } from '@pixsim/persistence';
import type { EndReason, Generation } from '../generation.js';
import { GENERATION_STATUSES } from '../generation.js';

/**
 * Ended generations and tombstones are kept this long for operators, then expire (TTL index).
 * A generation is purged at the earliest this long after its submission, which is how a
 * submission replayed after its purge is told from a new one.
 */
export const RETENTION_MS = 7 * 24 * 3600 * 1000;

export type GenerationDoc = Generation & {
  cancel_requested_at: Date | null;
  purge_at: Date | null;
  ending_event?: PublishInput | null;
};

const generationSchema = new Schema<GenerationDoc>(
  {
    job_id: { type: String, required: true },
    status: { type: String, enum: GENERATION_STATUSES, required: true },
    user_id: String,
    provider_id: String,
    provider_job_id: String,
    account_id: String,
    credential: Schema.Types.Mixed,
    duration_sec: Number,
    attempt: Number,
    submitted_at: Date,
    trace: Schema.Types.Mixed,
    next_poll_at: Date,
    failures: { type: Number, default: 0 },
    lease_owner: String,
    lease_until: Date,
    ended_at: Date,
    end_reason: String,
    cancel_requested_at: Date,
    purge_at: Date,
    ending_event: Schema.Types.Mixed,
  },
  { versionKey: false, minimize: false, collection: 'generations' },
);
generationSchema.index({ status: 1, next_poll_at: 1 });
generationSchema.index({ job_id: 1 }, { unique: true });
generationSchema.index({ provider_job_id: 1 });
generationSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

export const generationModel = defineModel<GenerationDoc>('Generation', generationSchema);

/** What an ended generation's document says: no next poll, no lease, purged after the retention. */
export const endedFields = (reason: EndReason, now: Date) => ({
  status: reason === 'cancelled' ? ('cancelled' as const) : ('done' as const),
  end_reason: reason,
  ended_at: now,
  next_poll_at: null,
  lease_owner: null,
  lease_until: null,
  purge_at: new Date(now.getTime() + RETENTION_MS),
});
