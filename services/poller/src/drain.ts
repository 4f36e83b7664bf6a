import { drainBudgetMs } from '@pixsim/kit';
import type { Config } from './config.js';

/**
 * The poller's drain. Each poll in flight is one status call with a deadline of half the
 * lease (so the lease outlives it); the margin records what the call said and releases
 * the lease.
 */
export const drainMs = (c: Pick<Config, 'LEASE_MS'>): number =>
  drainBudgetMs({ longestCallMs: Math.floor(c.LEASE_MS / 2) });
