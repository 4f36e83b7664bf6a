import type { JobEvent } from '@pixsim/contracts';
import type { JobStore } from '../store/job-store.js';

/** Every later event of a job folds into the system of record through the status machine. */
export function createJobStatusHandler(jobs: Pick<JobStore, 'apply'>) {
  return async (event: JobEvent): Promise<void> => {
    await jobs.apply(event.data.job_id, event);
  };
}
