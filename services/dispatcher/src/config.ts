import { z } from 'zod';
import { legacySecretKeyFromEnv, sealingPrivateKeysFromEnv } from '@pixsim/credentials';
import { exitOnConfigError, intFromEnv, loadConfig, retentionDaysFromEnv, sharedConfigShape } from '@pixsim/kit';

export const configSchema = z.object({
  ...sharedConfigShape,
  /** Private keys that open provider credentials (`kid:base64,…`); the first is current. */
  PIXSIM_SEALING_PRIVATE_KEYS: sealingPrivateKeysFromEnv(),
  /** The older symmetric key, only while values sealed under it remain (they are re-sealed). */
  PIXSIM_SECRET_KEY: legacySecretKeyFromEnv().optional(),
  /** How long an account rests after a concurrency limit or a 429 without Retry-After. */
  COOLDOWN_MS: intFromEnv().default(30_000),
  /** First delay before retrying a submit that failed on a provider hiccup. */
  RETRY_BASE_MS: intFromEnv().default(2_000),
  /** How often waiting and retrying jobs are looked at (an account change looks at once). */
  SCAN_INTERVAL_MS: intFromEnv().default(1_000),
  /** How often account in-flight counters are compared with the submissions. */
  RECONCILE_INTERVAL_MS: intFromEnv().default(30_000),
  /** A submit intent older than this with no outcome belongs to a dead dispatcher. */
  SUBMIT_STALE_MS: intFromEnv().default(120_000),
  ACCOUNT_VIEW_FLUSH_MS: intFromEnv().default(500),
  /**
   * Provider submits in flight at once per replica. A replica killed mid-call can repeat
   * at most this many submits (each recognised and counted); 1 bounds it to one per kill.
   */
  SUBMIT_CONCURRENCY: intFromEnv().default(10),
  /** Provider call deadline; keep SUBMIT_STALE_MS well above it. */
  PROVIDER_TIMEOUT_MS: intFromEnv().default(30_000),
  /** How long the submit breaker stays open before a trial call. */
  BREAKER_RESET_MS: intFromEnv().default(30_000),
  BREAKER_ERROR_PERCENT: intFromEnv({ min: 1, max: 100 }).default(50),
  /** Calls in the rolling window before the breaker may open. */
  BREAKER_VOLUME: intFromEnv().default(5),
  /**
   * Settled submissions (done, failed, cancelled) are kept this many days, then expire. Keep it
   * above how long a JOB_CREATED can wait to be handled (a backlog, a dead letter not yet
   * replayed): an older one whose record is gone is acknowledged without effect.
   */
  PIXSIM_SUBMISSION_RETENTION_DAYS: retentionDaysFromEnv(30),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
