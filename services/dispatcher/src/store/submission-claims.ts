import type { JobErrorCode } from '@pixsim/contracts';
import { AFTER, isDuplicateKey, PRIMARY } from '@pixsim/persistence';
import { purgeAt, type SubmissionContext, type SubmissionDoc } from './submission-model.js';

/**
 * A dispatcher's work on a job it owns. Ownership is a compare-and-set on `claim_token`,
 * so two replicas never work on one job at once; the submit intent is written before the
 * provider call, so a replay after a crash knows a submit may have happened.
 */
export interface SubmissionClaims {
  /** Takes a due waiting job, or one whose dispatcher died mid-work; returns it as it was before. */
  claim(id: string, token: string, now: Date, staleBefore: Date): Promise<SubmissionDoc | null>;
  due(now: Date, staleBefore: Date, limit: number): Promise<SubmissionDoc[]>;
  /** Null when the job is no longer this token's, or when a cancel was asked for (then cancelOwned). */
  recordIntent(id: string, token: string, accountId: string, now: Date): Promise<SubmissionDoc | null>;
  /** The intent's account was released after a refusal; the job stays claimed for the next account. */
  backToClaimed(id: string, token: string): Promise<void>;
  /**
   * The provider accepted the submit `intent` (the record as this owner holds it):
   * the record as now stored, or null when the claim was lost meanwhile.
   */
  markSubmitted(
    intent: SubmissionDoc,
    token: string,
    providerJobId: string,
    cost: number,
  ): Promise<SubmissionDoc | null>;
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
}

export function submissionClaims(ctx: SubmissionContext): SubmissionClaims {
  const { model, writes, clock } = ctx;
  const owned = (id: string, token: string) => ({ _id: id, claim_token: token });
  return {
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
    async recordIntent(id: string, token: string, accountId: string, now: Date): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { ...owned(id, token), cancel_requested_at: null },
        {
          $set: { state: 'submitting', account_id: accountId, claimed_at: now },
          $inc: { attempt: 1 },
        },
        AFTER,
      ) as Promise<SubmissionDoc | null>;
    },
    async backToClaimed(id: string, token: string): Promise<void> {
      await model.updateOne(owned(id, token), { $set: { state: 'claimed', account_id: null } });
    },
    async markSubmitted(
      intent: SubmissionDoc,
      token: string,
      providerJobId: string,
      cost: number,
    ): Promise<SubmissionDoc | null> {
      const set = {
        state: 'submitted',
        provider_job_id: providerJobId,
        cost,
        released: false,
        claim_token: null,
        detail: null,
        settled_at: clock(),
        announced: false,
      } as const;
      // Through the group commit, conditional on the claim as an upsert: a record whose
      // claim moved on fails the filter, and the insert it falls back to collides on
      // `_id`, so a lost claim is this write's own duplicate key even inside a batch. (The
      // record cannot be gone: only settled records expire.)
      try {
        await writes.write({
          updateOne: { filter: owned(intent._id, token), update: { $set: set }, upsert: true },
        });
      } catch (err) {
        if (isDuplicateKey(err, '_id')) return null;
        throw err;
      }
      return { ...intent, ...set };
    },
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
            purge_at: purgeAt(ctx),
          },
        },
        AFTER,
      ) as Promise<SubmissionDoc | null>;
    },
  };
}
