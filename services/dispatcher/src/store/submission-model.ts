import { Schema, type Model } from 'mongoose';
import type { JobErrorCode, JobParams, OperationType } from '@pixsim/contracts';
import { defineModel, type GroupCommit } from '@pixsim/persistence';

export type SubmissionState =
  | 'waiting' // due at next_attempt_at; no account yet, scheduled, or backing off
  | 'claimed' // a dispatcher is choosing an account for it
  | 'submitting' // intent recorded: an account is reserved and the provider is being called
  | 'submitted' // the provider accepted it; the slot is held until the job ends
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'cancel_requested'; // a tombstone: the cancel came before JOB_CREATED, which is cancelled on arrival

export interface SubmissionDoc {
  _id: string; // job id
  user_id: string;
  operation_type: OperationType;
  provider_id: string;
  params: JobParams;
  priority: number;
  created_at: Date;
  state: SubmissionState;
  /** Provider calls made so far; a submit intent bumps it before the call. */
  attempt: number;
  /** Failed tries on retryable provider errors (MAX_TRIES applies to these). */
  tries: number;
  next_attempt_at: Date;
  claim_token: string | null;
  claimed_at: Date | null;
  account_id: string | null;
  provider_job_id: string | null;
  cost: number;
  released: boolean;
  detail: string | null;
  error_code: JobErrorCode | null;
  error_message: string | null;
  /** When the outcome was recorded. */
  settled_at: Date | null;
  /**
   * Set when a cancel arrives while a dispatcher works on the job: the owner cancels it at
   * its next step instead of submitting it, or as it sends it back to waiting.
   */
  cancel_requested_at?: Date | null;
  /** W3C trace context of the JOB_CREATED handling: a job that waits is dispatched later in its own trace. */
  trace?: { traceparent?: string; tracestate?: string } | null;
  /**
   * False from the moment an outcome (submitted, failed, cancelled) is recorded until
   * its event is published: a dispatcher that dies in between leaves this false, and
   * the sweeper publishes the event (same id) for it.
   */
  announced: boolean;
  /**
   * When MongoDB removes the record (TTL index): the retention after the job settled (done,
   * failed, cancelled) or after a tombstone was left. Null while the job is unsettled.
   */
  purge_at?: Date | null;
}

const submissionSchema = (() => {
  const schema = new Schema<SubmissionDoc>(
    {
      _id: String,
      user_id: String,
      operation_type: String,
      provider_id: String,
      params: Schema.Types.Mixed,
      priority: Number,
      created_at: Date,
      state: String,
      attempt: Number,
      tries: Number,
      next_attempt_at: Date,
      claim_token: String,
      claimed_at: Date,
      account_id: String,
      provider_job_id: String,
      cost: Number,
      released: Boolean,
      detail: String,
      error_code: String,
      error_message: String,
      settled_at: Date,
      announced: Boolean,
      cancel_requested_at: Date,
      trace: Schema.Types.Mixed,
      purge_at: Date,
    },
    { versionKey: false, minimize: false },
  );
  schema.index({ announced: 1, settled_at: 1 });
  schema.index({ state: 1, priority: -1, created_at: 1 });
  schema.index({ account_id: 1, state: 1 });
  // Documents without a date here (every unsettled one) never expire.
  schema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });
  return schema;
})();

export const submissionModel = defineModel<SubmissionDoc>('Submission', submissionSchema);

/** What every part of the submission store works on: the collection, the dispatcher's clock, the retention. */
export interface SubmissionContext {
  model: Model<SubmissionDoc>;
  /** Single-document writes of many jobs share round trips through it (one bulkWrite per batch). */
  writes: GroupCommit<SubmissionDoc>;
  /**
   * The marks written behind a published outcome (`announced`): no one waits on them, so a
   * batch lingers for others. One lost to a crash costs a repeated event, which the sweep
   * publishes under the same id.
   */
  marks: GroupCommit<SubmissionDoc>;
  clock: () => Date;
  /** How long a settled submission is kept. */
  retentionMs: number;
}

/**
 * A record settled at `at` (default now) is removed the retention later. A job settles after
 * its JOB_CREATED was made, so a record is never gone before its JOB_CREATED is older than
 * the retention: what the replay guard of JOB_CREATED relies on.
 */
export const purgeAt = ({ clock, retentionMs }: SubmissionContext, at: Date = clock()): Date =>
  new Date(at.getTime() + retentionMs);
