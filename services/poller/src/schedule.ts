import { backoffDelay } from '@pixsim/kit';

/**
 * When to poll next. A generation that is still running after minutes will most likely
 * run for minutes more, so it is asked less often; an error backs off quickly but never
 * beyond three intervals, so an outage costs at most that much latency once it ends.
 */
export interface ScheduleSettings {
  /** POLL_INTERVAL_S in ms. */
  pollIntervalMs: number;
  /** JOB_TIMEOUT_S in ms, from submitted_at. */
  jobTimeoutMs: number;
}

const STEPS: ReadonlyArray<{ afterMs: number; factor: number }> = [
  { afterMs: 15 * 60_000, factor: 3 },
  { afterMs: 5 * 60_000, factor: 2 },
];

export function pollInterval(ageMs: number, baseMs: number): number {
  return baseMs * (STEPS.find((s) => ageMs >= s.afterMs)?.factor ?? 1);
}

/** `failures` counts this one, from 1. */
export function errorBackoff(failures: number, baseMs: number, random: () => number = Math.random): number {
  return backoffDelay(failures, { initialMs: Math.min(1_000, baseMs), maxMs: baseMs * 3 }, random);
}

const deadlineOf = (submittedAt: Date, s: ScheduleSettings): number => submittedAt.getTime() + s.jobTimeoutMs;

/**
 * `from` + delay (`from` is now unless given), but never before now and never past the
 * deadline: the last poll happens right when the job times out.
 */
export function nextPollAt(submittedAt: Date, now: Date, delayMs: number, s: ScheduleSettings, from: Date = now): Date {
  return new Date(Math.max(now.getTime(), Math.min(from.getTime() + delayMs, deadlineOf(submittedAt, s))));
}

export const isTimedOut = (submittedAt: Date, now: Date, s: ScheduleSettings): boolean =>
  now.getTime() >= deadlineOf(submittedAt, s);
