import type { LogPort } from '@pixsim/contracts';
import { context } from '@opentelemetry/api';
import { JOB_ERROR_CODES } from '@pixsim/contracts';
import type { GenerationStatus as ProviderStatus } from '@pixsim/providers';
import { jobCompleted, jobFailed, type Publish } from './events.js';
import type { EndReason, Generation, PollStore } from './generation.js';
import { jobContextOf } from './held-set.js';
import type { PollMetrics } from './poll-metrics.js';
import { describeError } from './poll-errors.js';
import { errorBackoff, isTimedOut, nextPollAt, pollInterval, type ScheduleSettings } from './schedule.js';

const FAILED_STATES = {
  failed: 'PROVIDER_FAILED',
  moderated: 'PROVIDER_MODERATION',
  deleted: 'PROVIDER_DELETED',
} as const;

/** What a poll decided: the generation ended, or when to poll it next and its failure count. */
export type Next = { at: number; failures: number } | 'ended';

export interface PollOutcomeDeps {
  store: Pick<PollStore, 'beginEnd' | 'finish' | 'unannounced'>;
  publish: Publish;
  clock: () => Date;
  settings: ScheduleSettings & { leaseMs: number; batch: number };
  metrics: PollMetrics;
  logger: Pick<LogPort, 'warn'>;
  random?: () => number;
}

export interface PollOutcomes {
  /**
   * What the provider's answer means for the generation: its end (announced), or its next
   * poll, one interval after this one was due (see `pollsFrom`).
   */
  settle(gen: Generation, status: ProviderStatus, poll: PollTimes): Promise<Next>;
  /** A poll that failed (`kind` from errorKind): its backoff, or its end at the job timeout. */
  failedPoll(gen: Generation, err: unknown, kind: string): Promise<Next>;
  /** True once an end of the generation was begun here: no longer this replica's to poll. */
  isEnding(gen: Generation): boolean;
  /** Announces ends that a replica took and died before announcing (checked every few seconds at most). */
  announceStranded(): Promise<void>;
}

/** When a poll was due, and when it started (epoch ms). */
export interface PollTimes {
  due: number;
  started: number;
}

/**
 * Where the next interval counts from: the time this poll was due, so polls keep the
 * interval's rate however long each call or its wait for a slot took (counted from the
 * end, 50,000 held generations were polled every 10.2 s instead of 10). A poll that
 * started more than half an interval late counts from its start instead: two polls of one
 * generation are never closer than half an interval, and a replica that fell behind, or a
 * claim of one long overdue, does not catch up in a burst.
 */
export const pollsFrom = (poll: PollTimes, intervalMs: number): number =>
  poll.started - poll.due > intervalMs / 2 ? poll.started : poll.due;

/** What a poll's outcome does: the generation's end and its announcement, or when to poll it next. */
export function createPollOutcomes(deps: PollOutcomeDeps): PollOutcomes {
  const { store, publish, clock, settings: s, metrics, logger } = deps;
  const ageOf = (gen: Generation, now: Date) => now.getTime() - gen.submitted_at.getTime();

  /**
   * The first to end a generation announces its end, and only it: a cancel landing while
   * this poll ran wins, and the poll's outcome is dropped. A crash after the end was taken
   * and before its event went out is caught by `announceStranded`.
   */
  const ending = new WeakSet<Generation>();
  const end = (gen: Generation, reason: EndReason, event: Parameters<Publish>[0], now: Date) =>
    // In the job's trace even when the poll that decided it ran untraced (see pollOne in poll-loop.ts).
    context.with(jobContextOf(gen), async () => {
      // From here on it is no longer this replica's to poll, whatever happens next: taken by
      // this end, by something else, or (the store failing) left to its lease.
      ending.add(gen);
      if (!(await store.beginEnd(gen, reason, event, now))) return;
      await publish(event);
      await store.finish(gen, reason, now);
    });

  /**
   * Ends taken by a replica that died before announcing them, older than a lease: announced
   * again (same event id). Looked for every few seconds, not on every claim: a stranded end
   * is rare and waits a lease anyway.
   */
  let nextStrandedCheck = 0;
  const announceStranded = async () => {
    if (clock().getTime() < nextStrandedCheck) return;
    nextStrandedCheck = clock().getTime() + Math.min(s.leaseMs, 5_000);
    try {
      for (const { gen, event } of await store.unannounced(new Date(clock().getTime() - s.leaseMs), s.batch)) {
        await publish(event);
        await store.finish(gen, (gen.end_reason ?? 'completed') as EndReason, clock());
      }
    } catch (err) {
      logger.warn({ err }, 'could not announce ended generations; trying again later');
    }
  };

  const timeOut = async (gen: Generation, now: Date, detail: string): Promise<Next> => {
    metrics.polled('timeout');
    const message = `the generation did not finish within ${s.jobTimeoutMs / 1000} s (${detail})`;
    await end(gen, 'timeout', jobFailed(gen, 'poll', 'TIMEOUT', message, now), now);
    return 'ended';
  };

  async function settle(gen: Generation, status: ProviderStatus, poll: PollTimes): Promise<Next> {
    const now = clock();
    if (status.state === 'pending') {
      if (isTimedOut(gen.submitted_at, now, s)) return timeOut(gen, now, 'still generating');
      metrics.polled('pending');
      const interval = pollInterval(ageOf(gen, now), s.pollIntervalMs);
      const next = nextPollAt(gen.submitted_at, now, interval, s, new Date(pollsFrom(poll, interval)));
      return { at: next.getTime(), failures: 0 };
    }
    if (status.state === 'completed') {
      if (!status.result) throw new Error('the provider reported completion without a result');
      await end(gen, 'completed', jobCompleted(gen, status.result, now), now);
      metrics.polled('completed');
      return 'ended';
    }
    const code = FAILED_STATES[status.state];
    await end(gen, status.state, jobFailed(gen, 'poll', code, JOB_ERROR_CODES[code].description, now), now);
    metrics.polled(status.state);
    return 'ended';
  }

  /** Never swallowed: counted, logged, retried with backoff, and bounded by the job timeout. */
  async function failedPoll(gen: Generation, err: unknown, kind: string): Promise<Next> {
    const now = clock();
    metrics.polled('error');
    metrics.pollError(kind);
    logger.warn(
      { job_id: gen.job_id, provider_job_id: gen.provider_job_id, kind, failures: gen.failures, err },
      'poll failed; retrying',
    );
    if (isTimedOut(gen.submitted_at, now, s)) return timeOut(gen, now, `last poll error: ${describeError(err)}`);
    // An open circuit says nothing about this generation: wait one interval, do not count it.
    const circuitOpen = kind === 'circuit_open';
    const failures = circuitOpen ? gen.failures : gen.failures + 1;
    let delay = circuitOpen
      ? pollInterval(ageOf(gen, now), s.pollIntervalMs)
      : errorBackoff(failures, s.pollIntervalMs, deps.random);
    delay = Math.max(delay, (err as { retryAfterMs?: number }).retryAfterMs ?? 0);
    return { at: nextPollAt(gen.submitted_at, now, delay, s).getTime(), failures };
  }

  return { settle, failedPoll, isEnding: (gen) => ending.has(gen), announceStranded };
}
