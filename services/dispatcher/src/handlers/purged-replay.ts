import type { EventData } from '@pixsim/contracts';
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
  return async function isPurgedReplay(job: EventData<'JOB_CREATED'>): Promise<boolean> {
    const ageMs = ports.clock().getTime() - Date.parse(job.created_at);
    if (!(ageMs > ports.retentionMs)) return false;
    if (await ports.submissions.get(job.job_id)) return false;
    ports.onDropped(job, ageMs);
    return true;
  };
}
