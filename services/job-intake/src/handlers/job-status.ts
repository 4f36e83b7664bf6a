import { TERMINAL_STATUSES, type JobEvent, type JobStatus } from '@pixsim/contracts';
import type { JobStore } from '../store/job-store.js';
import type { JobJournal } from './job-journal.js';

export interface JobStatusPorts {
  jobs: Pick<JobStore, 'apply'>;
  /** Hears each job's end once, as the status first turns terminal. */
  onTerminal?: (status: JobStatus, errorCode: string | null) => void;
  journal?: Pick<JobJournal, 'changed'>;
  /** True for an event replayed after its job's record was purged (purged-replay.ts): it is dropped. */
  isPurgedReplay(event: JobEvent): Promise<boolean>;
}

/** Every later event of a job folds into the system of record through the status machine. */
export function createJobStatusHandler(ports: JobStatusPorts) {
  return async (event: JobEvent): Promise<void> => {
    if (await ports.isPurgedReplay(event)) return;
    const record = await ports.jobs.apply(event.data.job_id, event, { linger: true });
    const status = record.status as JobStatus;
    ports.journal?.changed(record, record.previous);
    if (ports.onTerminal && TERMINAL_STATUSES.includes(status) && record.previous.status !== status) {
      ports.onTerminal(status, record.facts.terminal?.error_code ?? null);
    }
  };
}
