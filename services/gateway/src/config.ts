import { z } from 'zod';
import { intFromEnv, parseKeyring, portFromEnv, sharedConfigShape } from '@pixsim/kit';

/** The gateway's environment, parsed once at start (DESIGN §8). */
export const configSchema = z.object({
  ...sharedConfigShape,
  PORT: portFromEnv().default(8000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Bootstrap admin bearer token (api-contract "Auth"); long enough not to be guessed. */
  PIXSIM_ADMIN_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }),
  /** Keyring that seals provider credentials before they leave the gateway (DESIGN §6). */
  PIXSIM_SECRET_KEY: z.string().superRefine((value, ctx) => {
    try {
      parseKeyring(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^PIXSIM_SECRET_KEY: /, '') });
    }
  }),
  BODY_LIMIT_BYTES: intFromEnv({ min: 1024 }).default(1_048_576),
  /** A publish slower than this answers 503 rather than holding the request. */
  PUBLISH_TIMEOUT_MS: intFromEnv({ min: 100 }).default(2_000),
  CONSUMER_NAME: z.string().trim().min(1).optional(),
  CLAIM_TIMEOUT_MS: intFromEnv().optional(),
  MONGODB_DB: z.string().trim().min(1).optional(),
});

export type GatewayConfig = z.infer<typeof configSchema>;
