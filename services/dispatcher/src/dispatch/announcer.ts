import { eventIds } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { AccountDoc, AccountStore } from '../store/account-store.js';
import type { SubmissionDoc, SubmissionStore } from '../store/submission-store.js';

/**
 * Publishes the event of a recorded outcome, then marks it announced. The
 * record comes first, so a dispatcher killed between the two leaves an
 * unannounced outcome that the sweep (or a redelivered JOB_CREATED) publishes
 * with the same deterministic id: the event is never lost, at worst repeated.
 */
export function createAnnouncer(ports: {
  submissions: Pick<SubmissionStore, 'markAnnounced' | 'unannounced' | 'get'>;
  accounts: Pick<AccountStore, 'get'>;
  publish(input: PublishInput): Promise<unknown>;
  clock: () => Date;
  /** A mark written behind a published event failed (the sweep will publish it again). */
  onMarkFailed?(jobId: string, err: unknown): void;
}) {
  const eventOf = async (sub: SubmissionDoc, known?: AccountDoc): Promise<PublishInput | null> => {
    const at = (sub.settled_at ?? ports.clock()).toISOString();
    if (sub.state === 'submitted' || sub.state === 'done') {
      const account =
        known?._id === sub.account_id ? known : sub.account_id ? await ports.accounts.get(sub.account_id) : null;
      if (!account || !sub.provider_job_id) return null;
      return {
        type: 'JOB_SUBMITTED',
        id: eventIds.jobSubmitted(sub._id, sub.attempt),
        data: {
          job_id: sub._id,
          user_id: sub.user_id,
          attempt: sub.attempt,
          provider_id: sub.provider_id,
          provider_job_id: sub.provider_job_id,
          account_id: account._id,
          credential: account.credential,
          cost: sub.cost,
          duration_sec: typeof sub.params.duration === 'number' ? sub.params.duration : null,
          submitted_at: at,
        },
      };
    }
    if (sub.state === 'failed' || sub.state === 'cancelled') {
      return {
        type: 'JOB_FAILED',
        id: eventIds.jobFailed(sub._id),
        data: {
          job_id: sub._id,
          stage: sub.state === 'cancelled' ? 'cancel' : 'dispatch',
          error_code: sub.error_code ?? 'INTERNAL',
          error_message: (sub.error_message ?? '').slice(0, 2048),
          retry_count: sub.tries,
          account_id: null,
          provider_job_id: null,
          failed_at: at,
        },
      };
    }
    return null;
  };

  /**
   * `account`: the submission's account when the caller holds it already (it saves a read).
   * `markLater`: return once the event is published and write the mark behind it, off the
   * job's critical path; a dispatcher killed before that write leaves the outcome
   * unannounced, and the sweep publishes it again under the same id.
   */
  const announce = async (
    sub: SubmissionDoc,
    account?: AccountDoc,
    opts: { markLater?: boolean } = {},
  ): Promise<void> => {
    const event = await eventOf(sub, account);
    if (!event) return;
    await ports.publish(event);
    const marked = ports.submissions.markAnnounced(sub._id);
    if (!opts.markLater) return marked;
    marked.catch((err: unknown) => ports.onMarkFailed?.(sub._id, err));
  };

  return {
    announce,
    /** Publishes what a dead dispatcher recorded but never announced. */
    async sweep(olderThanMs = 2_000): Promise<number> {
      const pending = await ports.submissions.unannounced(new Date(ports.clock().getTime() - olderThanMs), 200);
      for (const sub of pending) await announce(sub);
      return pending.length;
    },
    /** For a redelivered JOB_CREATED: publish its outcome if a dead dispatcher did not. */
    async announceIfPending(jobId: string): Promise<void> {
      const sub = await ports.submissions.get(jobId);
      if (sub && sub.announced === false) await announce(sub);
    },
  };
}

export type Announcer = ReturnType<typeof createAnnouncer>;
