import type { JobEvent } from '@pixsim/contracts';
import { createPurgedReplayGuard } from '@pixsim/persistence';
import { eventTime } from '../store/retention.js';
import type { JobStore } from '../store/job-store.js';

/**
 * Tells an event replayed after its job's record was purged from one of a live job. A
 * record goes the retention after the latest event it holds, so while an event is younger
 * than the retention its job's record, if there ever was one, is still there. An older one
 * with no record belongs to a job that ended and was purged (or waited past the retention,
 * which the retention's setting must rule out): folding it would create a half record that
 * never ends and never expires, and a JOB_REQUESTED would publish JOB_CREATED again. It is
 * dropped instead. Only an old event costs the extra read.
 */
export function createPurgedReplayCheck(ports: {
  jobs: Pick<JobStore, 'get'>;
  retentionMs: number;
  clock: () => Date;
  /** The event was dropped: log it and count it. */
  onDropped(event: JobEvent, ageMs: number): void;
}) {
  return createPurgedReplayGuard<JobEvent>({
    ...ports,
    eventTime,
    recordExists: async (event) => Boolean(await ports.jobs.get(event.data.job_id)),
  });
}
