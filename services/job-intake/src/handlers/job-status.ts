import { TERMINAL_STATUSES, type JobEvent, type JobStatus } from '@pixsim/contracts';
import type { JobStore } from '../store/job-store.js';

/**
 * Every later event of a job folds into the system of record through the status
 * machine. `onTerminal` hears each job's end once, as the status first turns terminal.
 */
export function createJobStatusHandler(jobs: Pick<JobStore, 'apply'>, onTerminal?: (status: JobStatus, errorCode: string | null) => void) {
  return async (event: JobEvent): Promise<void> => {
    const record = await jobs.apply(event.data.job_id, event);
    const status = record.status as JobStatus;
    if (onTerminal && TERMINAL_STATUSES.includes(status) && record.previousStatus !== status) {
      onTerminal(status, record.facts.terminal?.error_code ?? null);
    }
  };
}
