import { z } from 'zod';
import { legacySecretKeyFromEnv, sealingPrivateKeysFromEnv } from '@pixsim/credentials';
import { exitOnConfigError, intFromEnv, loadConfig, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  /** Private keys that open provider credentials (`kid:base64,…`); the first is current. */
  PIXSIM_SEALING_PRIVATE_KEYS: sealingPrivateKeysFromEnv(),
  /** The older symmetric key, only while values sealed under it remain (they are re-sealed). */
  PIXSIM_SECRET_KEY: legacySecretKeyFromEnv().optional(),
  POLL_TICK_MS: intFromEnv().default(500),
  /**
   * The longest wait between claims that find nothing: each empty claim doubles the wait from
   * POLL_TICK_MS up to this. Generations this replica lets go are claimed when they fall due
   * whatever the wait; it delays only another replica's, whose leases ran out or which it
   * handed back. Below POLL_TICK_MS it is POLL_TICK_MS.
   */
  POLL_IDLE_TICK_MS: intFromEnv().default(2_000),
  POLL_BATCH: intFromEnv().default(200),
  /**
   * Status calls in flight at most. A replica polls at most this ÷ the call's latency per
   * second: 100 keeps up with 50,000 generations at a 10 s interval on calls of 20 ms, where
   * 50 held it to 92% of that (`npm run bench:poller`); the manifests set the same.
   */
  POLL_CONCURRENCY: intFromEnv().default(100),
  /**
   * Generations one replica holds in memory at most (about 8 KiB each); the rest wait in the
   * store for a replica with room. 50,000 is what 5,000 polls/s at a 10 s interval needs.
   */
  POLL_MAX_HELD: intFromEnv().default(50_000),
  LEASE_MS: intFromEnv({ min: 1_000 }).default(30_000),
  /** Unset: min(POLL_INTERVAL_S, 2 s). */
  FIRST_POLL_DELAY_MS: intFromEnv({ min: 0 }).optional(),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
