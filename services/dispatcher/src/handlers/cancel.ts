import { eventIds, type EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { SubmissionStore } from '../store/submission-store.js';

/** A job that has not reached the provider is cancelled here; a submitted one is the poller's. */
export function createCancelHandler(ports: { submissions: Pick<SubmissionStore, 'cancelIfWaiting'>; publish(i: PublishInput): Promise<unknown> }) {
  return async ({ data }: { data: EventData<'JOB_CANCEL_REQUESTED'> }) => {
    const cancelled = await ports.submissions.cancelIfWaiting(data.job_id);
    if (!cancelled) return;
    await ports.publish({
      type: 'JOB_FAILED', id: eventIds.jobFailed(data.job_id),
      data: {
        job_id: data.job_id, stage: 'cancel', error_code: 'CANCELLED_BY_USER', error_message: 'cancelled before it reached the provider',
        retry_count: cancelled.tries, account_id: null, provider_job_id: null, failed_at: new Date().toISOString(),
      },
    });
  };
}
