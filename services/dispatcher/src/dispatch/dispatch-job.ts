import type { LogPort } from '@pixsim/contracts';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { eventIds, type JobErrorCode } from '@pixsim/contracts';
import type { Announcer } from './announcer.js';
import { Slots, type PublishInput } from '@pixsim/bus';
import { backoffDelay } from '@pixsim/kit';
import type { VideoProvider } from '@pixsim/providers';
import type { AccountDoc, AccountStore } from '../store/account-store.js';
import type { SubmissionDoc, SubmissionStore } from '../store/submission-store.js';
import { decideSubmitAction } from './submit-outcome.js';

/** Accounts one dispatch tries before the job waits (each refusal takes its account out of the running). */
const MAX_ACCOUNTS_PER_DISPATCH = 20;

export type DispatchOutcome =
  | 'submitted'
  | 'waiting_for_account'
  | 'retry'
  | 'failed'
  | 'paused'
  | 'cancelled'
  | 'not_due';

export interface DispatchPorts {
  submissions: SubmissionStore;
  accounts: AccountStore;
  provider: Pick<VideoProvider, 'submit' | 'estimateCost' | 'breakers'>;
  publish(input: PublishInput): Promise<unknown>;
  announcer: Pick<Announcer, 'announce'>;
  openCredential(account: AccountDoc): string;
  clock: () => Date;
  settings: { maxTries: number; cooldownMs: number; retryBaseMs: number; staleMs: number; submitConcurrency?: number };
  metrics: { outcome(o: DispatchOutcome): void; possibleDuplicate(jobId: string): void };
  /** An account's counters or status changed (so its view can be re-announced). */
  accountChanged?(accountId: string): void;
  logger: Pick<LogPort, 'info' | 'warn'>;
}

/**
 * Takes one job from waiting to submitted (or to its next wait, or to
 * failed). Ownership is the claim token; the account slot is reserved before
 * the intent is written and released at once when the provider refuses.
 */
export function createDispatchJob(ports: DispatchPorts) {
  const { submissions, accounts, settings, logger } = ports;
  const now = ports.clock;
  // Provider calls in flight at once, from intent to recorded outcome. A kill can repeat
  // at most this many submits (each one recognised and counted): 1 makes it at most one.
  const submitWindow = new Slots(settings.submitConcurrency ?? 1_000_000);

  const deferIfNew = async (
    before: SubmissionDoc | null,
    job: SubmissionDoc,
    reason: 'waiting_for_account' | 'retry_backoff',
    until: Date | null,
  ) => {
    if (before?.detail === reason && reason === 'waiting_for_account') return; // announced already
    await ports.publish({
      type: 'JOB_DEFERRED',
      id: eventIds.jobDeferred(job._id, job.attempt, reason),
      data: {
        job_id: job._id,
        reason,
        attempt: job.attempt,
        until: until?.toISOString() ?? null,
        deferred_at: now().toISOString(),
      },
    });
  };

  /** A cancel came while this dispatcher held the job: it is cancelled here, not submitted. */
  const cancelHeld = async (jobId: string, token: string): Promise<DispatchOutcome | null> => {
    const cancelled = await submissions.cancelOwned(jobId, token);
    if (!cancelled) return null;
    await ports.announcer.announce(cancelled);
    ports.metrics.outcome('cancelled');
    return 'cancelled';
  };

  /** Back to waiting; a cancel that came meanwhile is carried out at once rather than at the next turn. */
  const waitOrCancel = async (
    jobId: string,
    token: string,
    at: Date,
    detail: string,
    opts?: { countTry?: boolean },
  ) => {
    const before = await submissions.wait(jobId, token, at, detail, opts);
    if (!before?.cancel_requested_at) return { before, cancelled: false };
    const cancelled = await submissions.cancelIfWaiting(jobId);
    if (cancelled) {
      await ports.announcer.announce(cancelled);
      ports.metrics.outcome('cancelled');
    }
    return { before, cancelled: true };
  };

  /** Ends the job FAILED, unless the user cancelled it meanwhile: then it ends as they asked. */
  const fail = async (
    job: SubmissionDoc,
    token: string,
    code: JobErrorCode,
    message: string,
    tries?: number,
  ): Promise<DispatchOutcome> => {
    const cancelled = await cancelHeld(job._id, token);
    if (cancelled) return cancelled;
    const failed = await submissions.fail(job._id, token, code, message.slice(0, 2048), tries);
    if (failed) await ports.announcer.announce(failed);
    ports.metrics.outcome('failed');
    return 'failed';
  };

  /** A dispatcher died mid-work on this job: give back its slot and say if a submit may have happened. */
  const recover = async (prev: SubmissionDoc) => {
    if (prev.state !== 'submitting') return;
    ports.metrics.possibleDuplicate(prev._id);
    logger.warn(
      { job_id: prev._id, attempt: prev.attempt, account_id: prev.account_id },
      'possible duplicate submission: a submit intent has no recorded outcome (a dispatcher died during the call); submitting again',
    );
    if (prev.account_id) {
      await accounts.release(prev.account_id);
      ports.accountChanged?.(prev.account_id);
    }
  };

  /**
   * `claimed`: a record this caller created already claimed (SubmissionStore.ensure with a
   * token); with `reserved`, created holding the submit intent on that reserved account.
   */
  return async function dispatchJob(
    jobId: string,
    claimed?: { sub: SubmissionDoc; token: string; reserved?: AccountDoc },
  ): Promise<DispatchOutcome> {
    if (claimed) {
      const { sub, token, reserved } = claimed;
      return context.with(propagation.extract(ROOT_CONTEXT, sub.trace ?? {}), () =>
        dispatchClaimed(sub, token, reserved),
      );
    }
    const token = randomUUID();
    const prev = await submissions.claim(jobId, token, now(), new Date(now().getTime() - settings.staleMs));
    if (!prev) return 'not_due';
    // Run in the job's own trace, also when it waited and the scanner picks it up later.
    return context.with(propagation.extract(ROOT_CONTEXT, prev.trace ?? {}), () => dispatchClaimed(prev, token));
  };

  async function dispatchClaimed(prev: SubmissionDoc, token: string, reserved?: AccountDoc): Promise<DispatchOutcome> {
    const jobId = prev._id;
    // A fresh intent is this call's own, not a dead dispatcher's.
    if (!reserved) await recover(prev);
    if (prev.cancel_requested_at) {
      if (reserved) {
        await accounts.release(reserved._id);
        ports.accountChanged?.(reserved._id);
      }
      return (await cancelHeld(jobId, token)) ?? 'not_due';
    }
    const job = { ...prev, claim_token: token };
    const cost = ports.provider.estimateCost({ operationType: job.operation_type, params: job.params });

    // Accounts that refuse (cooldown, exhausted, bad key) drop out of the eligible set, so the
    // next reservation is the next account, tried at once. Bounded: a refusal that changes no
    // account (a job sent back) must not spin.
    for (let tried = 0; tried < MAX_ACCOUNTS_PER_DISPATCH; tried++) {
      await submitWindow.take();
      let accountId: string | undefined;
      try {
        const first = tried === 0 ? reserved : undefined;
        const account = first ?? (await accounts.reserveBest(job.provider_id, cost, now()));
        if (!account) break;
        accountId = account._id;
        const outcome = await attempt(account, first ? prev : undefined);
        if (outcome !== 'next') return outcome;
      } finally {
        submitWindow.release();
        // After every write the attempt made (reserve, charge, release, status), not before.
        if (accountId) ports.accountChanged?.(accountId);
      }
    }
    // No eligible account: the job waits (it does not fail) and resumes when one frees up.
    const { before, cancelled } = await waitOrCancel(jobId, token, now(), 'waiting_for_account');
    if (cancelled) return 'cancelled';
    if (before) await deferIfNew(before, job, 'waiting_for_account', null);
    ports.metrics.outcome('waiting_for_account');
    return 'waiting_for_account';

    /** One reserved account: record the intent (unless recorded), submit, settle. 'next' tries the next account. */
    async function attempt(account: AccountDoc, recorded?: SubmissionDoc): Promise<DispatchOutcome | 'next'> {
      const intent = recorded ?? (await submissions.recordIntent(jobId, token, account._id, now()));
      if (!intent) {
        await accounts.release(account._id);
        return (await cancelHeld(jobId, token)) ?? 'not_due';
      }
      let result: Awaited<ReturnType<DispatchPorts['provider']['submit']>>;
      try {
        result = await ports.provider.submit(
          { apiKey: ports.openCredential(account) },
          { jobId, operationType: job.operation_type, params: job.params },
        );
      } catch (err) {
        return refused(account, intent, err);
      }
      // The provider accepted: from here a failure must not send the job back for another
      // submit. It propagates; the intent stays, and recovery treats it as a possible duplicate.
      // Two documents, no order between them: one round trip, not two.
      const [submitted] = await Promise.all([
        submissions.markSubmitted(intent, token, result.providerJobId, result.cost),
        accounts.charge(account._id, result.cost),
      ]);
      if (submitted) await ports.announcer.announce(submitted, account, { markLater: true });
      ports.metrics.outcome('submitted');
      return 'submitted';
    }

    /** The provider refused: settle the account, then the job (next account, wait, retry or fail). */
    async function refused(
      account: AccountDoc,
      intent: SubmissionDoc,
      err: unknown,
    ): Promise<DispatchOutcome | 'next'> {
      await accounts.release(account._id);
      let action = decideSubmitAction(err, settings.cooldownMs);
      // A provider-wide failure (the breaker tripped on it) is an outage, not this job's
      // fault: wait it out without spending one of the job's MAX_TRIES.
      if (action.do === 'retry' && submitBreakerTripped(ports.provider))
        action = { do: 'pause', reason: action.reason };
      logger.info({ job_id: jobId, account_id: account._id, action: action.do, err }, 'submit refused');
      if (action.do === 'cooldown')
        await accounts.cooldown(account._id, new Date(now().getTime() + action.ms), action.reason);
      else if (action.do === 'exhausted') await accounts.setStatus(account._id, 'EXHAUSTED', action.reason, 0);
      else if (action.do === 'account_error') await accounts.setStatus(account._id, 'ERROR', action.reason);
      else if (action.do === 'fail') {
        return fail(intent, token, action.code, action.message);
      } else if (action.do === 'pause') {
        const { before, cancelled } = await waitOrCancel(
          jobId,
          token,
          new Date(now().getTime() + settings.retryBaseMs),
          'retry_backoff',
        );
        if (cancelled) return 'cancelled';
        await deferIfNew(before, intent, 'retry_backoff', null);
        ports.metrics.outcome('paused');
        return 'paused';
      } else {
        if (intent.tries + 1 >= settings.maxTries) {
          return fail(
            intent,
            token,
            'RETRIES_EXHAUSTED',
            `gave up after ${intent.tries + 1} tries: ${action.reason}`,
            intent.tries + 1,
          );
        }
        // RETRY_BASE_MS doubled per try, jittered (kit's one backoff); MAX_TRIES bounds it, so no cap.
        const delay = backoffDelay(intent.tries + 1, {
          initialMs: settings.retryBaseMs,
          maxMs: Number.MAX_SAFE_INTEGER,
        });
        const until = new Date(now().getTime() + delay);
        const { before, cancelled } = await waitOrCancel(jobId, token, until, 'retry_backoff', { countTry: true });
        if (cancelled) return 'cancelled';
        await deferIfNew(before, intent, 'retry_backoff', until);
        ports.metrics.outcome('retry');
        return 'retry';
      }
      await submissions.backToClaimed(jobId, token);
      return 'next';
    }
  }
}

function submitBreakerTripped(provider: Pick<VideoProvider, 'breakers'>): boolean {
  return provider.breakers().some((b) => b.name === 'submit' && b.state !== 'closed');
}
