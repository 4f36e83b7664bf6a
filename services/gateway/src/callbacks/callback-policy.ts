import type { AttemptResult } from './callback-sender.js';
import type { CallbackOutcome } from '../store/callback-store.js';

export interface RetryPolicy {
  maxAttempts: number;
  /** First retry after this long; each next one three times later, up to an hour. */
  firstRetryMs: number;
}

const MAX_DELAY_MS = 3_600_000;

/** When attempt `n` (from 1) failed, the next waits firstRetryMs × 3^(n−1), ±20 % so receivers are not hit in step. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, policy.firstRetryMs * 3 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * A 2xx is delivered. 408, 425, 429 and 5xx are worth another try, as are network
 * errors; any other answer (a 4xx, a redirect) says the receiver will not take it.
 */
export function decide(
  result: AttemptResult,
  attempt: number,
  policy: RetryPolicy,
  now: Date,
  random = Math.random,
): CallbackOutcome {
  if ('status' in result) {
    if (result.status >= 200 && result.status < 300) return { kind: 'delivered', status: result.status };
    const retryable = result.status >= 500 || [408, 425, 429].includes(result.status);
    const error = `answered ${result.status}`;
    if (!retryable) return { kind: 'failed', status: result.status, error: `${error}: not retried` };
    return attempt >= policy.maxAttempts
      ? { kind: 'failed', status: result.status, error: `${error} on the last of ${policy.maxAttempts} attempts` }
      : {
          kind: 'retry',
          at: new Date(now.getTime() + retryDelayMs(policy, attempt, random)),
          status: result.status,
          error,
        };
  }
  if (!result.retryable) return { kind: 'failed', status: null, error: result.error };
  return attempt >= policy.maxAttempts
    ? { kind: 'failed', status: null, error: `${result.error} (last of ${policy.maxAttempts} attempts)` }
    : {
        kind: 'retry',
        at: new Date(now.getTime() + retryDelayMs(policy, attempt, random)),
        status: null,
        error: result.error,
      };
}
