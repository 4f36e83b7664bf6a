import { isIP } from 'node:net';
import { z } from 'zod';
import { sealingPublicKeyFromEnv } from '@pixsim/credentials';
import {
  boolFromEnv,
  exitOnConfigError,
  intFromEnv,
  jobRetentionShape,
  loadConfig,
  portFromEnv,
  sharedConfigShape,
} from '@pixsim/kit';

/** The gateway's environment: the shared fields and its own, parsed once at start (`readConfig`). */
export const configSchema = z.object({
  ...sharedConfigShape,
  PORT: portFromEnv().default(8000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  /**
   * Bootstrap admin bearer token; long enough not to be guessed. Optional
   * once an admin user exists (checked at start). During a rotation the old one is
   * PIXSIM_ADMIN_TOKEN_PREVIOUS, accepted too.
   */
  PIXSIM_ADMIN_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PIXSIM_ADMIN_TOKEN_PREVIOUS: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
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
  /** `closed`: POST /auth/register answers 403 REGISTRATION_CLOSED and admins create users. */
  REGISTRATION: z.enum(['open', 'closed']).optional(),
  /** The older switch (false = closed); REGISTRATION wins when both are set. */
  REGISTRATION_ENABLED: boolFromEnv().optional(),
  /** Per-user quota defaults (unset = no limit); an admin overrides them per user. */
  QUOTA_MAX_ACTIVE_JOBS: intFromEnv({ min: 0 }).optional(),
  QUOTA_JOBS_PER_DAY: intFromEnv({ min: 0 }).optional(),
  QUOTA_CREDITS_PER_DAY: intFromEnv({ min: 0 }).optional(),
  /** A request (not an event stream) that takes longer is answered 503 and its socket closed. */
  REQUEST_TIMEOUT_MS: intFromEnv({ min: 1_000, max: 600_000 }).default(30_000),
  /** Requests per window per client IP, and per user (admins exempt); 0 turns a limit off. */
  RATE_LIMIT_IP_MAX: intFromEnv({ min: 0 }).default(6_000),
  RATE_LIMIT_USER_MAX: intFromEnv({ min: 0 }).default(600),
  /** Login and register attempts per window per client IP. */
  RATE_LIMIT_AUTH_MAX: intFromEnv({ min: 0 }).default(20),
  /** Login and register attempts per window per account (the email), from any IP. */
  RATE_LIMIT_ACCOUNT_MAX: intFromEnv({ min: 0 }).default(10),
  RATE_LIMIT_WINDOW_MS: intFromEnv({ min: 1_000 }).default(60_000),
  /**
   * Behind a proxy: whose X-Forwarded-For to believe, so limits see client IPs. A hop count
   * (the nearest N proxies), or a comma-separated list of the proxies' addresses or CIDRs;
   * `false`/`0` for none. Never `true`: trusting any sender lets every client pick its IP.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((raw, ctx): false | number | string[] => {
      if (raw === '' || raw === 'false' || raw === '0') return false;
      if (/^\d+$/.test(raw) && Number(raw) <= 10) return Number(raw);
      if (raw === 'true') {
        ctx.addIssue({
          code: 'custom',
          message: "true would trust X-Forwarded-For from anyone: give a hop count or the proxies' addresses/CIDRs",
        });
        return z.NEVER;
      }
      const entries = raw.split(',').map((s) => s.trim());
      const bad = entries.filter((e) => !isTrustEntry(e));
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `not an address, CIDR or hop count (0–10): ${bad.join(', ')}` });
        return z.NEVER;
      }
      return entries;
    }),
  /** Verifies PixVerse webhooks; unset, POST /api/v1/webhooks/pixverse answers 404. */
  PIXVERSE_WEBHOOK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  SSE_HEARTBEAT_MS: intFromEnv({ min: 1_000 }).default(15_000),
  /** Concurrent GET /jobs/{id}/events streams per user, and in all, per replica; past them a 429. */
  SSE_MAX_PER_USER: intFromEnv({ min: 1 }).default(20),
  SSE_MAX_STREAMS: intFromEnv({ min: 1 }).default(5_000),
  /** An event stream is ended after this long (the client reconnects), so none is held forever. */
  SSE_MAX_LIFETIME_S: intFromEnv({ min: 10 }).default(3_600),
  /**
   * The root every user's callback secret is derived from (README, Callbacks); unset, a
   * callback_url is refused. While it changes, the old root is CALLBACK_SECRET_PREVIOUS.
   */
  CALLBACK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  CALLBACK_SECRET_PREVIOUS: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  /** After a user rotates their callback secret, the old one still signs for this long. */
  CALLBACK_SECRET_GRACE_S: intFromEnv({ min: 0, max: 30 * 86_400 }).default(86_400),
  /** Delivery lanes one user's callbacks may hold at once per replica (default: half of CALLBACK_CONCURRENCY). */
  CALLBACK_LANES_PER_USER: intFromEnv({ min: 1, max: 100 }).optional(),
  /** Development only: callbacks to http:// and to private or loopback hosts. */
  CALLBACK_ALLOW_PRIVATE: boolFromEnv().default(false),
  CALLBACK_MAX_ATTEMPTS: intFromEnv({ min: 1, max: 20 }).default(8),
  /** The first retry's delay; each next one is three times longer, up to an hour. */
  CALLBACK_FIRST_RETRY_MS: intFromEnv({ min: 100 }).default(10_000),
  CALLBACK_TIMEOUT_MS: intFromEnv({ min: 500, max: 120_000 }).default(10_000),
  /** Callbacks in flight at once per replica. */
  CALLBACK_CONCURRENCY: intFromEnv({ min: 1, max: 100 }).default(4),
  /**
   * Nameservers for user-supplied hosts (image_url, callback_url): comma-separated host[:port]; unset,
   * resolv.conf's.
   */
  DNS_SERVERS: z
    .string()
    .trim()
    .regex(
      /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+)(:\d{1,5})?(,\s*(\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+)(:\d{1,5})?)*$/,
      {
        error: 'comma-separated nameserver addresses, each host[:port] ([v6]:port)',
      },
    )
    .optional(),
  /** A lookup (A and AAAA) slower than this counts as unresolvable: 400 IMAGE_URL_UNRESOLVABLE. */
  DNS_TIMEOUT_MS: intFromEnv({ min: 100, max: 30_000 }).default(2_000),
  /** Distinct lookups in flight per user, and per replica. */
  DNS_MAX_PER_USER: intFromEnv({ min: 1 }).default(4),
  DNS_MAX_IN_FLIGHT: intFromEnv({ min: 1 }).default(64),
  /**
   * Job records the read model keeps in memory so the next event of a job needs no read (about
   * 1.5 KiB each). A running job's next event comes within its generation's time; an evicted
   * record costs one read when it comes. 20,000 held a saturated replica 22–24 MiB over its
   * memory budget; 5,000 covers a replica's jobs for minutes at tens of jobs a second.
   */
  READ_MODEL_CACHE_SIZE: intFromEnv({ min: 1, max: 1_000_000 }).default(5_000),
  /** Settled jobs' read-model records and timelines are kept this many days after the job ended. */
  ...jobRetentionShape,
});

export type GatewayConfig = z.infer<typeof configSchema>;

/** The configuration, parsed once; a bad or missing value ends the process naming the variable. */
export const readConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  exitOnConfigError(() => loadConfig(configSchema, env));

/** An address or CIDR (v4 or v6), or one of proxy-addr's names (loopback, linklocal, uniquelocal). */
function isTrustEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** Whether POST /auth/register is open: REGISTRATION, else the older REGISTRATION_ENABLED, else open. */
export const registrationMode = (c: Pick<GatewayConfig, 'REGISTRATION' | 'REGISTRATION_ENABLED'>): 'open' | 'closed' =>
  c.REGISTRATION ?? (c.REGISTRATION_ENABLED === false ? 'closed' : 'open');
