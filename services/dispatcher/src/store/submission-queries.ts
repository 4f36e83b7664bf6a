import { PRIMARY } from '@pixsim/persistence';
import type { SubmissionContext, SubmissionDoc } from './submission-model.js';

/** Reads: one job's record, and the counts the reconciler and the metrics ask for. */
export interface SubmissionQueries {
  get(id: string): Promise<SubmissionDoc | null>;
  /** Slots each account should hold: submissions with a live reservation. */
  holdsByAccount(): Promise<Map<string, number>>;
  countWaiting(): Promise<number>;
}

export function submissionQueries({ model }: SubmissionContext): SubmissionQueries {
  return {
    async get(id: string): Promise<SubmissionDoc | null> {
      return model.findById(id).read(PRIMARY.readPreference).lean() as Promise<SubmissionDoc | null>;
    },
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
