import type { EventData } from '@pixsim/contracts';
import { AFTER, isDuplicateKey, PRIMARY } from '@pixsim/persistence';
import { cancelledNow } from './submission-cancels.js';
import type { SubmissionContext, SubmissionDoc } from './submission-model.js';

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

/** A job's JOB_CREATED meets its record: the record is created, or a tombstone is honoured. */
export interface SubmissionArrival {
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
  /** JOB_CREATED found a tombstone: the job is recorded, cancelled, to be announced. */
  cancelOnArrival(job: EventData<'JOB_CREATED'>): Promise<SubmissionDoc | null>;
}

export function submissionArrival(ctx: SubmissionContext): SubmissionArrival {
  const { model, writes, clock } = ctx;
  return {
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
      const fresh = {
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
      } as Omit<SubmissionDoc, '_id'>;
      // Through the group commit: a burst's arrivals share round trips. An insert leaves
      // the record exactly as sent; a record that was there already is read as it is.
      const upsert = async (): Promise<SubmissionDoc> => {
        const { upserted } = await writes.write({
          updateOne: { filter: { _id: job.job_id }, update: { $setOnInsert: fresh }, upsert: true },
        });
        if (upserted) return { _id: job.job_id, ...fresh };
        const stored = await model.findById(job.job_id).read(PRIMARY.readPreference).lean<SubmissionDoc>();
        if (!stored) throw new Error(`submission ${job.job_id} vanished while it was recorded`);
        return stored;
      };
      // A cancel's tombstone inserted at the same moment wins the insert: read it on the second try.
      return upsert().catch((err: unknown) => {
        if (!isDuplicateKey(err, '_id')) throw err;
        return upsert();
      });
    },
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
            ...cancelledNow(ctx),
          },
        },
        AFTER,
      ) as Promise<SubmissionDoc | null>;
    },
  };
}
