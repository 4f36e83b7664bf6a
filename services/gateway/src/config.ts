import { z } from 'zod';
import { sealingPublicKeyFromEnv } from '@pixsim/credentials';
import { boolFromEnv, intFromEnv, portFromEnv, sharedConfigShape } from '@pixsim/kit';

/** The gateway's environment, parsed once at start (DESIGN §8). */
export const configSchema = z.object({
  ...sharedConfigShape,
  PORT: portFromEnv().default(8000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** Bootstrap admin bearer token (api-contract "Auth"); long enough not to be guessed. */
  PIXSIM_ADMIN_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }),
  /**
   * The public key provider credentials are sealed to before they leave the gateway
   * (`kid:base64`). The gateway can seal, never open: the private keys are the
   * dispatcher's and the poller's only.
   */
  PIXSIM_SEALING_PUBLIC_KEY: sealingPublicKeyFromEnv(),
  BODY_LIMIT_BYTES: intFromEnv({ min: 1024 }).default(1_048_576),
  /** A publish slower than this answers 503 rather than holding the request. */
  PUBLISH_TIMEOUT_MS: intFromEnv({ min: 100 }).default(5_000),
  /** Signs access tokens (HS256). Required: there is no safe default for a signing key. */
  JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }),
  ACCESS_TOKEN_TTL_S: intFromEnv({ min: 60, max: 30 * 86_400 }).default(3_600),
  REGISTRATION_ENABLED: boolFromEnv().default(true),
  /** Requests per window per client IP, and per user (admins exempt); 0 turns a limit off. */
  RATE_LIMIT_IP_MAX: intFromEnv({ min: 0 }).default(6_000),
  RATE_LIMIT_USER_MAX: intFromEnv({ min: 0 }).default(600),
  /** Login and register attempts per window per client IP. */
  RATE_LIMIT_AUTH_MAX: intFromEnv({ min: 0 }).default(20),
  RATE_LIMIT_WINDOW_MS: intFromEnv({ min: 1_000 }).default(60_000),
  /** Behind a proxy: trust X-Forwarded-For (true, or a hop count), so limits see client IPs. */
  TRUST_PROXY: z.union([z.coerce.number().int().min(1).max(10), boolFromEnv()]).default(false),
  /** Verifies PixVerse webhooks; unset, POST /api/v1/webhooks/pixverse answers 404. */
  PIXVERSE_WEBHOOK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  SSE_HEARTBEAT_MS: intFromEnv({ min: 1_000 }).default(15_000),
  /** Concurrent GET /jobs/{id}/events streams per user, and in all, per replica; past them a 429. */
  SSE_MAX_PER_USER: intFromEnv({ min: 1 }).default(20),
  SSE_MAX_STREAMS: intFromEnv({ min: 1 }).default(5_000),
  /** An event stream is ended after this long (the client reconnects), so none is held forever. */
  SSE_MAX_LIFETIME_S: intFromEnv({ min: 10 }).default(3_600),
  /** Signs callbacks to clients' callback_url (README, Callbacks); unset, a callback_url is refused. */
  CALLBACK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** Development only: callbacks to http:// and to private or loopback hosts. */
  CALLBACK_ALLOW_PRIVATE: boolFromEnv().default(false),
  CALLBACK_MAX_ATTEMPTS: intFromEnv({ min: 1, max: 20 }).default(8),
  /** The first retry's delay; each next one is three times longer, up to an hour. */
  CALLBACK_FIRST_RETRY_MS: intFromEnv({ min: 100 }).default(10_000),
  CALLBACK_TIMEOUT_MS: intFromEnv({ min: 500, max: 120_000 }).default(10_000),
  /** Callbacks in flight at once per replica. */
  CALLBACK_CONCURRENCY: intFromEnv({ min: 1, max: 100 }).default(4),
  CONSUMER_NAME: z.string().trim().min(1).optional(),
  CLAIM_TIMEOUT_MS: intFromEnv().optional(),
  MONGODB_DB: z.string().trim().min(1).optional(),
});

export type GatewayConfig = z.infer<typeof configSchema>;
