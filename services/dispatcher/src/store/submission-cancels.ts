import { AFTER, isDuplicateKey } from '@pixsim/persistence';
import { purgeAt, type SubmissionContext, type SubmissionDoc, type SubmissionState } from './submission-model.js';

/** States in which a cancel still stops the job before the provider: flagged, or a tombstone refreshed. */
const CANCELLABLE: SubmissionState[] = ['waiting', 'claimed', 'submitting', 'cancel_requested'];

/** The fields of a job cancelled before it reached the provider, to be announced. */
export const cancelledNow = (ctx: SubmissionContext) => ({
  state: 'cancelled',
  error_code: 'CANCELLED_BY_USER',
  error_message: 'cancelled before it reached the provider',
  released: true,
  claim_token: null,
  settled_at: ctx.clock(),
  announced: false,
  purge_at: purgeAt(ctx),
});

/** A user's cancel, for a job that has not reached the provider. */
export interface SubmissionCancels {
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
}

export function submissionCancels(ctx: SubmissionContext): SubmissionCancels {
  const { model } = ctx;
  const cancelIfWaiting = (id: string): Promise<SubmissionDoc | null> =>
    model.findOneAndUpdate(
      { _id: id, state: 'waiting' },
      { $set: cancelledNow(ctx) },
      AFTER,
    ) as Promise<SubmissionDoc | null>;

  return {
    cancelIfWaiting,
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
            {
              $set: { cancel_requested_at: now },
              // A tombstone whose JOB_CREATED never comes (the job ended before it was created)
              // expires too; one that meets its JOB_CREATED gets the cancel's purge date instead.
              $setOnInsert: { state: 'cancel_requested', announced: true, purge_at: purgeAt(ctx, now) },
            },
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
    async cancelOwned(id: string, token: string): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { _id: id, claim_token: token, cancel_requested_at: { $ne: null } },
        { $set: cancelledNow(ctx) },
        AFTER,
      ) as Promise<SubmissionDoc | null>;
    },
  };
}
