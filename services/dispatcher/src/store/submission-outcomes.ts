import { AFTER, PRIMARY } from '@pixsim/persistence';
import { purgeAt, type SubmissionContext, type SubmissionDoc } from './submission-model.js';

/** After an outcome: the slot handed back when the job ends, and the outcome's announcement. */
export interface SubmissionOutcomes {
  /** The job ended: hand its slot back exactly once (the CAS on `released` is the "once"). */
  release(id: string): Promise<SubmissionDoc | null>;
  markAnnounced(id: string): Promise<void>;
  /** Outcomes recorded before `before` whose event was never published. */
  unannounced(before: Date, limit: number): Promise<SubmissionDoc[]>;
}

export function submissionOutcomes(ctx: SubmissionContext): SubmissionOutcomes {
  const { model, marks } = ctx;
  return {
    async release(id: string): Promise<SubmissionDoc | null> {
      return model.findOneAndUpdate(
        { _id: id, state: 'submitted', released: false },
        // Submitted is not settled (the slot is held until the job ends); done is.
        { $set: { released: true, state: 'done', purge_at: purgeAt(ctx) } },
        AFTER,
      ) as Promise<SubmissionDoc | null>;
    },
    async markAnnounced(id: string): Promise<void> {
      await marks.write({
        updateOne: { filter: { _id: id, announced: false }, update: { $set: { announced: true } } },
      });
    },
    async unannounced(before: Date, limit: number): Promise<SubmissionDoc[]> {
      return model
        .find({ announced: false, settled_at: { $lt: before } })
        .limit(limit)
        .read(PRIMARY.readPreference)
        .lean() as Promise<SubmissionDoc[]>;
    },
  };
}
