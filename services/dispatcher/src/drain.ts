import { drainBudgetMs } from '@pixsim/kit';
import { PIXVERSE_DEFAULT_TIMEOUTS } from '@pixsim/providers';
import type { Config } from './config.js';

/**
 * The dispatcher's drain. A submit is in one provider call at a time: connect, then the
 * request (PROVIDER_TIMEOUT_MS). An account that refuses answers at once and a call that
 * times out is retried later by the scanner, not within the same dispatch, so one call's
 * worst case bounds it; the margin records the outcome and acks.
 */
export const drainMs = (c: Pick<Config, 'PROVIDER_TIMEOUT_MS'>): number =>
  drainBudgetMs({ longestCallMs: PIXVERSE_DEFAULT_TIMEOUTS.connectMs + c.PROVIDER_TIMEOUT_MS });
