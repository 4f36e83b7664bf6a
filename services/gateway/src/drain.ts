import { drainBudgetMs } from '@pixsim/kit';
import type { GatewayConfig } from './config.js';

/**
 * The gateway's drain (after the preStop pause). The longest call a request or the
 * callback worker can be in is a callback POST (CALLBACK_TIMEOUT_MS) or a publish
 * (PUBLISH_TIMEOUT_MS); live streams are ended at once and the clients reconnect.
 */
export const drainMs = (c: Pick<GatewayConfig, 'CALLBACK_TIMEOUT_MS' | 'PUBLISH_TIMEOUT_MS'>): number =>
  drainBudgetMs({ longestCallMs: Math.max(c.CALLBACK_TIMEOUT_MS, c.PUBLISH_TIMEOUT_MS) });
