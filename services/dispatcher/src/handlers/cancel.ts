import type { EventData } from '@pixsim/contracts';
import type { Announcer } from '../dispatch/announcer.js';
import type { SubmissionStore } from '../store/submission-store.js';

/**
 * A job that has not reached the provider is cancelled here: at once when it waits, by
 * its dispatcher at its next step when one is working on it, on arrival when its
 * JOB_CREATED has not come yet. A submitted one is the poller's (it reads this event too).
 */
export function createCancelHandler(ports: {
  submissions: Pick<SubmissionStore, 'requestCancel'>;
  announcer: Pick<Announcer, 'announce'>;
  clock: () => Date;
}) {
  return async ({ data }: { data: EventData<'JOB_CANCEL_REQUESTED'> }) => {
    const cancelled = await ports.submissions.requestCancel(data.job_id, ports.clock());
    if (cancelled) await ports.announcer.announce(cancelled);
  };
}
