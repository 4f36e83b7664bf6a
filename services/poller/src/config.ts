import { z } from 'zod';
import { exitOnConfigError, intFromEnv, loadConfig, parseKeyring, sharedConfigShape, type Keyring } from '@pixsim/kit';

/** The keyring is parsed here, so a malformed PIXSIM_SECRET_KEY stops the process at start, named. */
const keyringFromEnv = () =>
  z.string().transform((raw, ctx): Keyring => {
    try {
      return parseKeyring(raw);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^PIXSIM_SECRET_KEY: /, '') });
      return z.NEVER;
    }
  });

export const configSchema = z.object({
  ...sharedConfigShape,
  PIXSIM_SECRET_KEY: keyringFromEnv(),
  POLL_TICK_MS: intFromEnv().default(500),
  POLL_BATCH: intFromEnv().default(200),
  POLL_CONCURRENCY: intFromEnv().default(50),
  LEASE_MS: intFromEnv({ min: 1_000 }).default(30_000),
  /** Unset: min(POLL_INTERVAL_S, 2 s). */
  FIRST_POLL_DELAY_MS: intFromEnv({ min: 0 }).optional(),
  CONSUMER_NAME: z.string().min(1).optional(),
  CLAIM_TIMEOUT_MS: intFromEnv().optional(),
  MONGODB_DB: z.string().min(1).optional(),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config =>
  exitOnConfigError(() => loadConfig(configSchema, env));
