import type { EventData } from './events/index.js';
import type { JobErrorCode } from './error-codes.js';
import type { JobStatus } from './job.js';

/**
 * The job status machine as a pure function over facts (docs/architecture/job-lifecycle.md).
 *
 * Events of one job travel on different streams and arrive in any order, any
 * number of times. Instead of transitions, the state records what is known,
 * and every merge is order-independent (a max, a min, or "first terminal
 * wins"), so any permutation of a causal history, with duplicates, folds to
 * the state the causal order gives. A causal history has one terminal event;
 * should two different ones ever arrive (the services never emit both), the
 * first to arrive stays. The visible status is derived: PENDING < PROCESSING <
 * terminal, and a terminal state is never overwritten.
 */
export type JobEvent =
  | { type: 'JOB_REQUESTED'; data: EventData<'JOB_REQUESTED'> }
  | { type: 'JOB_CREATED'; data: EventData<'JOB_CREATED'> }
  | { type: 'JOB_DEFERRED'; data: EventData<'JOB_DEFERRED'> }
  | { type: 'JOB_SUBMITTED'; data: EventData<'JOB_SUBMITTED'> }
  | { type: 'JOB_COMPLETED'; data: EventData<'JOB_COMPLETED'> }
  | { type: 'JOB_FAILED'; data: EventData<'JOB_FAILED'> }
  | { type: 'ASSET_CREATED'; data: EventData<'ASSET_CREATED'> };

export interface JobTerminal {
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  at: string;
  error_code: JobErrorCode | null;
  error_message: string | null;
  provider_job_id: string | null;
  account_id: string | null;
}

export interface JobFacts {
  created: boolean;
  terminal: JobTerminal | null;
  submission: { attempt: number; at: string; provider_job_id: string; account_id: string } | null;
  deferral: { reason: string; at: string; until: string | null } | null;
  retry_count: number;
  asset_id: string | null;
}

export const initialJobFacts = (): JobFacts => ({
  created: false,
  terminal: null,
  submission: null,
  deferral: null,
  retry_count: 0,
  asset_id: null,
});

export function applyJobEvent(facts: JobFacts, event: JobEvent): JobFacts {
  const next: JobFacts = { ...facts };
  switch (event.type) {
    case 'JOB_REQUESTED':
    case 'JOB_CREATED':
      next.created = true;
      break;
    case 'JOB_DEFERRED': {
      const d = event.data;
      const candidate = { reason: d.reason, at: d.deferred_at, until: d.until };
      if (
        !facts.deferral ||
        compareKeys([candidate.at, candidate.reason], [facts.deferral.at, facts.deferral.reason]) > 0
      ) {
        next.deferral = candidate;
      }
      next.retry_count = Math.max(facts.retry_count, d.attempt);
      break;
    }
    case 'JOB_SUBMITTED': {
      const d = event.data;
      const candidate = {
        attempt: d.attempt,
        at: d.submitted_at,
        provider_job_id: d.provider_job_id,
        account_id: d.account_id,
      };
      const current = facts.submission;
      // The latest attempt wins; within one attempt the earliest record does.
      if (
        !current ||
        d.attempt > current.attempt ||
        (d.attempt === current.attempt &&
          compareKeys([candidate.at, candidate.provider_job_id], [current.at, current.provider_job_id]) < 0)
      ) {
        next.submission = candidate;
      }
      next.retry_count = Math.max(facts.retry_count, d.attempt - 1);
      break;
    }
    case 'JOB_COMPLETED': {
      const d = event.data;
      next.terminal ??= {
        status: 'COMPLETED',
        at: d.completed_at,
        error_code: null,
        error_message: null,
        provider_job_id: d.provider_job_id,
        account_id: d.account_id,
      };
      break;
    }
    case 'JOB_FAILED': {
      const d = event.data;
      next.terminal ??= {
        status: d.error_code === 'CANCELLED_BY_USER' ? 'CANCELLED' : 'FAILED',
        at: d.failed_at,
        error_code: d.error_code,
        error_message: d.error_message,
        provider_job_id: d.provider_job_id,
        account_id: d.account_id,
      };
      next.retry_count = Math.max(facts.retry_count, d.retry_count);
      break;
    }
    case 'ASSET_CREATED':
      if (facts.asset_id === null || event.data.asset_id < facts.asset_id) next.asset_id = event.data.asset_id;
      break;
  }
  return next;
}

export interface JobStatusView {
  status: JobStatus;
  status_detail: string | null;
  error_code: JobErrorCode | null;
  error_message: string | null;
  retry_count: number;
  provider_job_id: string | null;
  account_id: string | null;
  asset_id: string | null;
  started_at: string | null;
  completed_at: string | null;
}

export function jobStatusOf(facts: JobFacts): JobStatus {
  if (facts.terminal) return facts.terminal.status;
  return facts.submission ? 'PROCESSING' : 'PENDING';
}

export function jobStatusView(facts: JobFacts): JobStatusView {
  const status = jobStatusOf(facts);
  const t = facts.terminal;
  return {
    status,
    status_detail:
      status === 'PENDING' ? (facts.deferral?.reason ?? null) : status === 'PROCESSING' ? 'generating' : null,
    error_code: t?.error_code ?? null,
    error_message: t?.error_message ?? null,
    retry_count: facts.retry_count,
    provider_job_id: t?.provider_job_id ?? facts.submission?.provider_job_id ?? null,
    account_id: t?.account_id ?? facts.submission?.account_id ?? null,
    asset_id: facts.asset_id,
    started_at: facts.submission?.at ?? null,
    completed_at: t?.at ?? null,
  };
}

function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}
