import type { EventData } from '@pixsim/contracts';
import type { AccountStore } from '../store/account-store.js';
import type { SubmissionStore } from '../store/submission-store.js';

/**
 * JOB_COMPLETED / JOB_FAILED: the job's account slot comes back, exactly once
 * per submission (the CAS on `released`), and a moderated generation's credits
 * are refunded as the provider does. A failure counts against the account in
 * `total_failed`; a cancel does not.
 */
export function createJobEndedHandler(ports: {
  submissions: Pick<SubmissionStore, 'release'>;
  accounts: Pick<AccountStore, 'release'>;
  onSlotFreed(accountId: string): void;
}) {
  return async (
    event:
      | { type: 'JOB_COMPLETED'; data: EventData<'JOB_COMPLETED'> }
      | { type: 'JOB_FAILED'; data: EventData<'JOB_FAILED'> },
  ) => {
    const released = await ports.submissions.release(event.data.job_id);
    if (!released?.account_id) return;
    // A user's cancel is not the account's failure: total_failed says how often the provider failed us.
    const failed = event.type === 'JOB_FAILED' && event.data.error_code !== 'CANCELLED_BY_USER';
    const refund = failed && event.data.error_code === 'PROVIDER_MODERATION' ? released.cost : 0;
    await ports.accounts.release(released.account_id, { failed, refund });
    ports.onSlotFreed(released.account_id);
  };
}
