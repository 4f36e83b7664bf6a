import type { EventData } from '@pixsim/contracts';
import type { Announcer } from '../dispatch/announcer.js';
import type { SubmissionStore } from '../store/submission-store.js';

/** A job that has not reached the provider is cancelled here; a submitted one is the poller's. */
export function createCancelHandler(ports: { submissions: Pick<SubmissionStore, 'cancelIfWaiting'>; announcer: Pick<Announcer, 'announce'> }) {
  return async ({ data }: { data: EventData<'JOB_CANCEL_REQUESTED'> }) => {
    const cancelled = await ports.submissions.cancelIfWaiting(data.job_id);
    if (cancelled) await ports.announcer.announce(cancelled);
  };
}
