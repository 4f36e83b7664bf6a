import { drainBudgetMs } from '@pixsim/kit';

/** A MongoDB operation fails after this when no server answers (the kit's serverSelectionTimeoutMS). */
const STORE_CALL_MS = 2_000;

/**
 * This service's drain: a handler is a few MongoDB writes one after another, each bounded
 * by server selection; the margin acks. A handler slower than that is taken over by another
 * replica after CLAIM_TIMEOUT_MS anyway, and its writes are idempotent.
 */
export const drainMs = (): number => drainBudgetMs({ longestCallMs: STORE_CALL_MS, sequentialCalls: 5 });
