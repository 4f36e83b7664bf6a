import type { EventData } from '@pixsim/contracts';
import { createPurgedReplayGuard } from '@pixsim/persistence';
import type { SubmissionStore } from '../store/submission-store.js';

/**
 * Tells a JOB_CREATED replayed after its submission was purged from a new one. A settled
 * submission is removed the retention after it settled, so while a JOB_CREATED is younger
 * than the retention its record, if there ever was one, is still there. An older one with no
 * record was handled long ago (or waited past the retention, which the retention's setting
 * must rule out): submitting it would charge the provider a second time, so it is dropped.
 * Only an old event costs the extra read.
 */
export function createPurgedReplayCheck(ports: {
  submissions: Pick<SubmissionStore, 'get'>;
  retentionMs: number;
  clock: () => Date;
  /** The event was dropped: log it and count it. */
  onDropped(job: EventData<'JOB_CREATED'>, ageMs: number): void;
}) {
  return createPurgedReplayGuard<EventData<'JOB_CREATED'>>({
    ...ports,
    eventTime: (job) => job.created_at,
    recordExists: async (job) => Boolean(await ports.submissions.get(job.job_id)),
  });
}
