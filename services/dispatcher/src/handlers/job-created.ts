import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { eventIds, type EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { VideoProvider } from '@pixsim/providers';
import type { Announcer } from '../dispatch/announcer.js';
import type { DispatchOutcome } from '../dispatch/dispatch-job.js';
import type { AccountDoc, AccountStore } from '../store/account-store.js';
import type { SubmissionDoc, SubmissionStore } from '../store/submission-store.js';

export interface JobCreatedPorts {
  submissions: Pick<SubmissionStore, 'ensure' | 'cancelOnArrival'>;
  accounts: Pick<AccountStore, 'reserveBest' | 'release'>;
  provider: Pick<VideoProvider, 'estimateCost'>;
  announcer: Pick<Announcer, 'announceIfPending' | 'announce'>;
  publish(input: PublishInput): Promise<unknown>;
  dispatchJob(
    jobId: string,
    claimed?: { sub: SubmissionDoc; token: string; reserved?: AccountDoc },
  ): Promise<DispatchOutcome>;
  /** Jobs already waiting for an account, which a new job queues behind. */
  backlog(): number;
  kickScanner(): void;
  accountChanged(accountId: string): void;
  /** True for a JOB_CREATED replayed after its submission was purged (purged-replay.ts): it is dropped. */
  isPurgedReplay(job: EventData<'JOB_CREATED'>): Promise<boolean>;
  clock: () => Date;
}

/**
 * JOB_CREATED → the job's submission record, and its first dispatch. A new job due now
 * with nobody waiting ahead of it takes the short way: an account is reserved first
 * and the record is created already holding the submit intent (claimed, account
 * named), so the provider call follows two round trips after the event instead of
 * four. Anything else — a redelivery, a scheduled job, a backlog, no free account —
 * takes the general way through the claim.
 */
export function createJobCreatedHandler(ports: JobCreatedPorts) {
  return async ({ data }: { data: EventData<'JOB_CREATED'> }): Promise<void> => {
    if (await ports.isPurgedReplay(data)) return;
    const now = ports.clock();
    const trace: { traceparent?: string; tracestate?: string } = {};
    propagation.inject(context.active(), trace);
    const token = ports.backlog() > 0 ? undefined : randomUUID();
    const dueNow = !data.scheduled_at || Date.parse(data.scheduled_at) <= now.getTime();
    const cost = ports.provider.estimateCost({ operationType: data.operation_type, params: data.params });
    let reserved = token && dueNow ? await ports.accounts.reserveBest(data.provider_id, cost, now) : null;
    let sub: SubmissionDoc;
    try {
      sub = await ports.submissions.ensure(data, now, trace, token, reserved?._id);
    } catch (err) {
      if (reserved) await giveBack(reserved._id);
      throw err;
    }
    if (sub.state === 'cancel_requested') {
      // The user cancelled before this event arrived: nothing is submitted.
      if (reserved) await giveBack(reserved._id);
      const cancelled = await ports.submissions.cancelOnArrival(data);
      if (cancelled) await ports.announcer.announce(cancelled);
      return;
    }
    const mine = token !== undefined && sub.claim_token === token;
    if (reserved && !(mine && sub.state === 'submitting' && sub.account_id === reserved._id)) {
      await giveBack(reserved._id); // the record existed already: it goes the general way
      reserved = null;
    }
    // A redelivery after a crash: publish the outcome the dead dispatcher recorded but did not announce.
    if (sub.announced === false) return ports.announcer.announceIfPending(data.job_id);
    if (sub.next_attempt_at > now && sub.state === 'waiting' && data.scheduled_at) {
      await ports.publish({
        type: 'JOB_DEFERRED',
        id: eventIds.jobDeferred(data.job_id, 0, 'scheduled'),
        data: {
          job_id: data.job_id,
          reason: 'scheduled',
          attempt: 0,
          until: data.scheduled_at,
          deferred_at: now.toISOString(),
        },
      });
      return;
    }
    if (mine)
      return void (await ports.dispatchJob(data.job_id, { sub, token: token!, ...(reserved ? { reserved } : {}) }));
    if (ports.backlog() > 0) return ports.kickScanner();
    await ports.dispatchJob(data.job_id);
  };

  async function giveBack(accountId: string): Promise<void> {
    await ports.accounts.release(accountId);
    ports.accountChanged(accountId);
  }
}
