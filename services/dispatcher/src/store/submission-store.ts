import type { Connection } from 'mongoose';
import { createGroupCommit } from '@pixsim/persistence';
import { submissionArrival, type SubmissionArrival } from './submission-arrival.js';
import { submissionCancels, type SubmissionCancels } from './submission-cancels.js';
import { submissionClaims, type SubmissionClaims } from './submission-claims.js';
import { submissionModel } from './submission-model.js';
import { submissionOutcomes, type SubmissionOutcomes } from './submission-outcomes.js';
import { submissionQueries, type SubmissionQueries } from './submission-queries.js';

export type { SubmissionDoc } from './submission-model.js';

/**
 * How long an `announced` mark waits for others to share its round trip, in ms: far inside the
 * sweep's two seconds, and at a steady 25 jobs/s it was a round trip of its own for every job.
 */
const MARK_LINGER_MS = 100;

/** The submissions as the dispatcher sees them (one record per job). */
export type SubmissionStore = SubmissionArrival &
  SubmissionClaims &
  SubmissionCancels &
  SubmissionOutcomes &
  SubmissionQueries;

/**
 * One record per job: the dispatcher's memory of what it did. Each part is one role: a
 * JOB_CREATED's arrival, an owner's work on its claim, cancels, what follows an outcome,
 * and reads. Every change is a single-document atomic update.
 */
export function createSubmissionStore(
  conn: Connection,
  opts: { clock: () => Date; retentionMs: number },
): SubmissionStore {
  const ctx = {
    model: submissionModel.model(conn),
    writes: createGroupCommit(submissionModel.collection(conn)),
    marks: createGroupCommit(submissionModel.collection(conn), { lingerMs: MARK_LINGER_MS }),
    clock: opts.clock,
    retentionMs: opts.retentionMs,
  };
  return {
    ...submissionArrival(ctx),
    ...submissionClaims(ctx),
    ...submissionCancels(ctx),
    ...submissionOutcomes(ctx),
    ...submissionQueries(ctx),
  };
}
