import { Schema, type Connection } from 'mongoose';
import type { EventData, JobErrorCode, JobParams, OperationType } from '@pixsim/contracts';
import { AFTER, defineModel, isDuplicateKey, PRIMARY } from '@pixsim/persistence';

type SubmissionState =
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
}

/** What a submission takes from its JOB_CREATED, with no try made yet. */
const fromEvent = (job: EventData<'JOB_CREATED'>) => ({
  user_id: job.user_id,
  operation_type: job.operation_type,
  provider_id: job.provider_id,
  params: job.params,
  priority: job.priority,
  created_at: new Date(job.created_at),
  tries: 0,
});

/** States in which a cancel still stops the job before the provider: flagged, or a tombstone refreshed. */
const CANCELLABLE: SubmissionState[] = ['waiting', 'claimed', 'submitting', 'cancel_requested'];

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
    },
    { versionKey: false, minimize: false },
  );
  schema.index({ announced: 1, settled_at: 1 });
  schema.index({ state: 1, priority: -1, created_at: 1 });
  schema.index({ account_id: 1, state: 1 });
  return schema;
})();

export const submissionModel = defineModel<SubmissionDoc>('Submission', submissionSchema);

/** The submissions as the dispatcher sees them (one record per job). */
export interface SubmissionStore {
  /**
   * The job's record, created on first sight. With `claimToken`, a record created
   * due now is created claimed by that token (it saves the separate claim), and with
   * `intentAccountId` too it is created holding the submit intent on that reserved
   * account, as recordIntent would leave it. A record that already existed is
   * returned as it is, claimed by whoever holds it.
   */
  ensure(
    job: EventData<'JOB_CREATED'>,
    now: Date,
    trace?: SubmissionDoc['trace'],
    claimToken?: string,
    intentAccountId?: string,
  ): Promise<SubmissionDoc>;
  /** Takes a due waiting job, or one whose dispatcher died mid-work; returns it as it was before. */
  claim(id: string, token: string, now: Date, staleBefore: Date): Promise<SubmissionDoc | null>;
  due(now: Date, staleBefore: Date, limit: number): Promise<SubmissionDoc[]>;
  /** Null when the job is no longer this token's, or when a cancel was asked for (then cancelOwned). */
  recordIntent(id: string, token: string, accountId: string, now: Date): Promise<SubmissionDoc | null>;
  /** The intent's account was released after a refusal; the job stays claimed for the next account. */
  backToClaimed(id: string, token: string): Promise<void>;
  markSubmitted(id: string, token: string, providerJobId: string, cost: number): Promise<SubmissionDoc | null>;
  /** Back to waiting until `at`; returns the detail it had, so a change can be announced once. */
  wait(
    id: string,
    token: string,
    at: Date,
    detail: string,
    opts?: {
      countTry?: boolean;
    },
  ): Promise<SubmissionDoc | null>;
  fail(id: string, token: string, code: JobErrorCode, message: string, tries?: number): Promise<SubmissionDoc | null>;
  cancelIfWaiting(id: string): Promise<SubmissionDoc | null>;
  /**
   * A cancel of a job that has not reached the provider, whatever the dispatcher is doing:
   * a job being worked on is flagged (its owner cancels it at its next step), a job not
   * seen yet gets a tombstone (JOB_CREATED then cancels it on arrival), and a waiting one
   * is cancelled now. Returns the cancelled job to announce, if it was cancelled here.
   */
  requestCancel(id: string, now: Date): Promise<SubmissionDoc | null>;
  /** The owner cancels a job it holds, after a cancel was asked for. */
  cancelOwned(id: string, token: string): Promise<SubmissionDoc | null>;
  /** JOB_CREATED found a tombstone: the job is recorded, cancelled, to be announced. */
  cancelOnArrival(job: EventData<'JOB_CREATED'>): Promise<SubmissionDoc | null>;
  /** The job ended: hand its slot back exactly once (the CAS on `released` is the "once"). */
  release(id: string): Promise<SubmissionDoc | null>;
  markAnnounced(id: string): Promise<void>;
  /** Outcomes recorded before `before` whose event was never published. */
  unannounced(before: Date, limit: number): Promise<SubmissionDoc[]>;
  get(id: string): Promise<SubmissionDoc | null>;
  /** Slots each account should hold: submissions with a live reservation. */
  holdsByAccount(): Promise<Map<string, number>>;
  countWaiting(): Promise<number>;
}

/**
 * One record per job: the dispatcher's memory of what it did. Ownership of a
 * submission is a compare-and-set on `claim_token`, so two replicas never work
 * on one job at once; the submit intent is written before the provider call,
 * so a replay after a crash knows a submit may have happened.
 */
export function createSubmissionStore(conn: Connection, opts: { clock: () => Date }): SubmissionStore {
  const model = submissionModel.model(conn);
  const { clock } = opts;
  const lean = AFTER;
  const owned = (id: string, token: string) => ({ _id: id, claim_token: token });
  const cancelIfWaiting = (id: string): Promise<SubmissionDoc | null> =>
    model.findOneAndUpdate(
      { _id: id, state: 'waiting' },
      { $set: cancelledNow() },
      lean,
    ) as Promise<SubmissionDoc | null>;
  const cancelledNow = () => ({
    state: 'cancelled',
    error_code: 'CANCELLED_BY_USER',
    error_message: 'cancelled before it reached the provider',
    released: true,
    claim_token: null,
    settled_at: clock(),
    announced: false,
  });

  return {
    /**
     * The job's record, created on first sight. With `claimToken`, a record created
     * due now is created claimed by that token (it saves the separate claim), and with
     * `intentAccountId` too it is created holding the submit intent on that reserved
     * account, as recordIntent would leave it. A record that already existed is
     * returned as it is, claimed by whoever holds it.
     */
    async ensure(
      job: EventData<'JOB_CREATED'>,
      now: Date,
      trace: SubmissionDoc['trace'] = null,
      claimToken?: string,
      intentAccountId?: string,
    ): Promise<SubmissionDoc> {
      const nextAttemptAt = job.scheduled_at ? new Date(job.scheduled_at) : now;
      const claimNow = claimToken !== undefined && nextAttemptAt <= now;
      const state = !claimNow
        ? { state: 'waiting', claim_token: null, claimed_at: null, attempt: 0, account_id: null }
        : intentAccountId
          ? { state: 'submitting', claim_token: claimToken, claimed_at: now, attempt: 1, account_id: intentAccountId }
          : { state: 'claimed', claim_token: claimToken, claimed_at: now, attempt: 0, account_id: null };
      const upsert = () =>
        model.findOneAndUpdate(
          { _id: job.job_id },
          {
            $setOnInsert: {
              ...fromEvent(job),
              next_attempt_at: nextAttemptAt,
              ...state,
              provider_job_id: null,
              cost: 0,
              released: false,
              detail: null,
              error_code: null,
              error_message: null,
              settled_at: null,
              announced: true,
              trace,
            },
          },
          { ...lean, upsert: true },
        ) as Promise<SubmissionDoc>;
      // A cancel's tombstone inserted at the same moment wins the insert: read it on the second try.
      return upsert().catch((err: unknown) => {
        if (!isDuplicateKey(err, '_id')) throw err;
        return upsert();
      });
    },
    /** Takes a due waiting job, or one whose dispatcher died mid-work; returns it as it was before. */
    async claim(id: string, token: string, now: Date, staleBefore: Date): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        {
          _id: id,
          $or: [
            { state: 'waiting', next_attempt_at: { $lte: now } },
            { state: { $in: ['claimed', 'submitting'] }, claimed_at: { $lt: staleBefore } },
          ],
        },
        { $set: { state: 'claimed', claim_token: token, claimed_at: now } },
        { returnDocument: 'before', lean: true },
      ) as Promise<SubmissionDoc | null>;
    },
    async due(now: Date, staleBefore: Date, limit: number): Promise<SubmissionDoc[]> {
      return model
        .find({
          $or: [
            { state: 'waiting', next_attempt_at: { $lte: now } },
            { state: { $in: ['claimed', 'submitting'] }, claimed_at: { $lt: staleBefore } },
          ],
        })
        .sort({ priority: -1, created_at: 1 })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean() as Promise<SubmissionDoc[]>;
    },
    /** Null when the job is no longer this token's, or when a cancel was asked for (then cancelOwned). */
    async recordIntent(id: string, token: string, accountId: string, now: Date): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { ...owned(id, token), cancel_requested_at: null },
        {
          $set: { state: 'submitting', account_id: accountId, claimed_at: now },
          $inc: { attempt: 1 },
        },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    /** The intent's account was released after a refusal; the job stays claimed for the next account. */
    async backToClaimed(id: string, token: string): Promise<void> {
      await model.updateOne(owned(id, token), { $set: { state: 'claimed', account_id: null } });
    },
    async markSubmitted(id: string, token: string, providerJobId: string, cost: number): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        owned(id, token),
        {
          $set: {
            state: 'submitted',
            provider_job_id: providerJobId,
            cost,
            released: false,
            claim_token: null,
            detail: null,
            settled_at: clock(),
            announced: false,
          },
        },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    /** Back to waiting until `at`; returns the detail it had, so a change can be announced once. */
    async wait(
      id: string,
      token: string,
      at: Date,
      detail: string,
      opts: { countTry?: boolean } = {},
    ): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        owned(id, token),
        {
          $set: { state: 'waiting', next_attempt_at: at, detail, claim_token: null, account_id: null },
          ...(opts.countTry ? { $inc: { tries: 1 } } : {}),
        },
        { returnDocument: 'before', lean: true },
      ) as Promise<SubmissionDoc | null>;
    },
    async fail(
      id: string,
      token: string,
      code: JobErrorCode,
      message: string,
      tries?: number,
    ): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        owned(id, token),
        {
          $set: {
            ...(tries === undefined ? {} : { tries }),
            state: 'failed',
            error_code: code,
            error_message: message,
            claim_token: null,
            released: true,
            settled_at: clock(),
            announced: false,
          },
        },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    cancelIfWaiting,
    /**
     * A cancel of a job that has not reached the provider, whatever the dispatcher is doing:
     * a job being worked on is flagged (its owner cancels it at its next step), a job not
     * seen yet gets a tombstone (JOB_CREATED then cancels it on arrival), and a waiting one
     * is cancelled now. Returns the cancelled job to announce, if it was cancelled here.
     */
    async requestCancel(id: string, now: Date): Promise<SubmissionDoc | null> {
      // One write flags a record in a cancellable state or, when there is none, inserts the
      // tombstone: a JOB_CREATED cannot slip between a look and a write. The two operators
      // never name one path (mongod refuses that, code 40). The insert fails on `_id` when
      // the record exists in a later state, or was inserted by JOB_CREATED just now: the
      // second try tells them apart (it flags the new record, or fails again: nothing to do).
      for (let round = 0; round < 2; round++) {
        try {
          await model.updateOne(
            { _id: id, state: { $in: CANCELLABLE } },
            { $set: { cancel_requested_at: now }, $setOnInsert: { state: 'cancel_requested', announced: true } },
            { upsert: true },
          );
          break;
        } catch (err) {
          if (!isDuplicateKey(err, '_id')) throw err;
        }
      }
      // Last: a job that went back to waiting meanwhile (or was waiting all along) is cancelled here.
      return cancelIfWaiting(id);
    },
    /** The owner cancels a job it holds, after a cancel was asked for. */
    async cancelOwned(id: string, token: string): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { ...owned(id, token), cancel_requested_at: { $ne: null } },
        { $set: cancelledNow() },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    /** JOB_CREATED found a tombstone: the job is recorded, cancelled, to be announced. */
    async cancelOnArrival(job: EventData<'JOB_CREATED'>): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { _id: job.job_id, state: 'cancel_requested' },
        {
          $set: {
            ...fromEvent(job),
            attempt: 0,
            next_attempt_at: clock(),
            claimed_at: null,
            account_id: null,
            provider_job_id: null,
            cost: 0,
            detail: null,
            trace: null,
            ...cancelledNow(),
          },
        },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    /** The job ended: hand its slot back exactly once (the CAS on `released` is the "once"). */
    async release(id: string): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { _id: id, state: 'submitted', released: false },
        { $set: { released: true, state: 'done' } },
        lean,
      ) as Promise<SubmissionDoc | null>;
    },
    async markAnnounced(id: string): Promise<void> {
      await model.updateOne({ _id: id, announced: false }, { $set: { announced: true } });
    },
    /** Outcomes recorded before `before` whose event was never published. */
    async unannounced(before: Date, limit: number): Promise<SubmissionDoc[]> {
      return model
        .find({ announced: false, settled_at: { $lt: before } })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean() as Promise<SubmissionDoc[]>;
    },
    async get(id: string): Promise<SubmissionDoc | null> {
      return model.findById(id).read(PRIMARY.readPreference).lean() as Promise<SubmissionDoc | null>;
    },
    /** Slots each account should hold: submissions with a live reservation. */
    async holdsByAccount(): Promise<Map<string, number>> {
      const rows = await model
        .aggregate<{ _id: string; n: number }>([
          { $match: { state: { $in: ['submitting', 'submitted'] }, released: false, account_id: { $ne: null } } },
          { $group: { _id: '$account_id', n: { $sum: 1 } } },
        ])
        .read(PRIMARY.readPreference);
      return new Map(rows.map((r) => [r._id, r.n]));
    },
    async countWaiting(): Promise<number> {
      return model.countDocuments({ state: 'waiting' }).read(PRIMARY.readPreference);
    },
  };
}
