import { eventIds, isTerminal } from '@pixsim/contracts';
import type { Principal } from '../auth/principal.js';
import { canSee } from '../auth/visibility.js';
import { ConflictError, NotFoundError } from '../http/errors.js';
import type { JobRecord } from '../read-model/job-record.js';
import type { JobStore } from '../store/ports.js';
import type { Clock, Publish } from '../ports.js';

/**
 * DELETE /jobs/{id}: a command, answered 202 with the job as known now. The
 * dispatcher cancels a job still waiting, the poller one being generated; both
 * answer with JOB_FAILED CANCELLED_BY_USER. A repeat re-sends the same event id.
 * A job that finished first is not cancelled: the state machine keeps the first
 * terminal state.
 */
export function createJobCanceller(deps: { jobs: JobStore; publish: Publish; clock: Clock }) {
  return async (principal: Principal, jobId: string): Promise<JobRecord> => {
    const job = await deps.jobs.get(jobId);
    if (!job || !canSee(principal, job.user_id)) throw new NotFoundError('job', jobId);
    if (isTerminal(job.status)) throw new ConflictError('JOB_TERMINAL', `job ${jobId} is already ${job.status}`);
    await deps.publish({
      type: 'JOB_CANCEL_REQUESTED',
      id: eventIds.jobCancelRequested(jobId),
      data: { job_id: jobId, user_id: job.user_id!, requested_at: deps.clock().toISOString() },
    });
    return job;
  };
}

export type CancelJob = ReturnType<typeof createJobCanceller>;
