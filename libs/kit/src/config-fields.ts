import { z } from 'zod';

/** Reusable zod pieces for environment variables: every value arrives as a string. */

function describeIntRange(min: number, max: number): string {
  const lo = min > Number.MIN_SAFE_INTEGER;
  const hi = max < Number.MAX_SAFE_INTEGER;
  if (min === 1 && !hi) return 'a positive integer';
  if (min === 0 && !hi) return 'a non-negative integer';
  if (lo && hi) return `an integer from ${min} to ${max}`;
  if (lo) return `an integer >= ${min}`;
  if (hi) return `an integer <= ${max}`;
  return 'an integer';
}

/** An integer from a string such as `"10"`; rejects `"10.5"`, `"1e3"`, `"ten"`. Default range: positive. */
export function intFromEnv(opts: { min?: number; max?: number } = {}) {
  const { min = 1, max = Number.MAX_SAFE_INTEGER } = opts;
  const expected = `expected ${describeIntRange(min, max)}`;
  return z.union([z.string(), z.number()]).transform((raw, ctx) => {
    const text = String(raw).trim();
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `${expected}, got ${JSON.stringify(raw)}` });
      return z.NEVER;
    }
    return n;
  });
}

/** One day, in milliseconds: retention settings are in days. */
export const DAY_MS = 86_400_000;

/** A retention in days (1 day to 100 years). */
export function retentionDaysFromEnv(defaultDays: number) {
  return intFromEnv({ min: 1, max: 36_500 }).default(defaultDays);
}

/**
 * How long a job's records are kept: the gateway's read model and timeline, job-intake's
 * record and the asset record read this one variable, so a job's records expire together.
 */
export const jobRetentionShape = { PIXSIM_JOB_RETENTION_DAYS: retentionDaysFromEnv(90) };

/** A TCP port; 0 is allowed so tests can ask for an ephemeral port. */
export function portFromEnv() {
  return intFromEnv({ min: 0, max: 65_535 });
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean from `true/false`, `1/0`, `yes/no`, `on/off` (any case). */
export function boolFromEnv() {
  return z.union([z.string(), z.boolean()]).transform((raw, ctx) => {
    if (typeof raw === 'boolean') return raw;
    const text = raw.trim().toLowerCase();
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    ctx.addIssue({
      code: 'custom',
      message: `expected true or false (or 1/0, yes/no, on/off), got ${JSON.stringify(raw)}`,
    });
    return z.NEVER;
  });
}

/** A URL-ish string with one of the given schemes, e.g. `urlFromEnv(['redis', 'rediss'])`. */
export function urlFromEnv(schemes: readonly string[]) {
  const alternatives = schemes.map((s) => s.replace(/[+.]/g, '\\$&')).join('|');
  return z
    .string()
    .trim()
    .regex(new RegExp(`^(${alternatives})://[^\\s/]+`), {
      error: `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
    });
}

/** A comma-separated list of `host:port` (empty entries ignored); at least one. */
export function clusterNodesFromEnv() {
  return z.string().transform((raw, ctx) => {
    const nodes = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = nodes.find((n) => !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/.test(n));
    if (nodes.length === 0 || bad !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected host:port[,host:port…]${bad !== undefined ? `, got ${JSON.stringify(bad)}` : ''}`,
      });
      return z.NEVER;
    }
    return nodes;
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function logLevelFromEnv() {
  return z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }));
}

/**
 * The variables every service shares. Spread it into a service schema and
 * override what differs: `z.object({ ...sharedConfigShape, PORT: portFromEnv().default(8080) })`.
 * MONGODB_URI has no default on purpose: each service names its own database.
 */
export const sharedConfigShape = {
  REDIS_URL: urlFromEnv(['redis', 'rediss']).default('redis://127.0.0.1:6379'),
  MONGODB_URI: urlFromEnv(['mongodb', 'mongodb+srv']),
  NATS_URL: urlFromEnv(['nats', 'tls', 'ws', 'wss']).default('nats://127.0.0.1:4222'),
  MAX_JOBS: intFromEnv().default(10),
  MAX_TRIES: intFromEnv().default(3),
  JOB_TIMEOUT_S: intFromEnv().default(3600),
  POLL_INTERVAL_S: intFromEnv().default(10),
  PIXVERSE_BASE_URL: urlFromEnv(['http', 'https']).default('https://app-api.pixverse.ai'),
  LOG_LEVEL: logLevelFromEnv().default('info'),
  PORT: portFromEnv().optional(),
  OPS_PORT: portFromEnv().optional(),
  /** Where the side server listens: every interface for a cluster's probes; npm start uses loopback. */
  OPS_HOST: z.string().trim().min(1).default('0.0.0.0'),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlFromEnv(['http', 'https']).optional(),
  /** This replica's name in its consumer groups; stable per replica (the pod name). */
  CONSUMER_NAME: z.string().trim().min(1).optional(),
  /** Entries idle this long are taken over from a replica that stopped answering. */
  CLAIM_TIMEOUT_MS: intFromEnv().optional(),
  /** The service's own database on MONGODB_URI; `pixsim-<service>` by default. */
  MONGODB_DB: z.string().trim().min(1).optional(),
  /**
   * Whether mongoose builds indexes and collections as models compile. Off by default when
   * NODE_ENV=production: there `npm run migrate` builds them, on purpose, before the services start.
   */
  MONGO_AUTO_INDEX: boolFromEnv().optional(),
  /**
   * Write concern of every write (`majority` on a replica set: a write that acknowledged a
   * client or an event survives a failover). Unset: the URI's, else the server's default.
   */
  MONGODB_WRITE_CONCERN: z
    .string()
    .trim()
    .regex(/^(majority|\d+)$/, { error: 'must be "majority" or a number of members' })
    .optional(),
  /**
   * `host:port,host:port,…`: use Redis Cluster through these seed nodes (REDIS_URL then gives only
   * credentials and TLS).
   */
  REDIS_CLUSTER_NODES: clusterNodesFromEnv().optional(),
  /** Streams per event type; an event's partition follows its job (or account) id. */
  STREAM_PARTITIONS: intFromEnv({ min: 1, max: 64 }).default(1),
  /** Entries a stream may hold (unread or unacknowledged by some group) before publishes are refused. */
  STREAM_MAX_LEN: intFromEnv().default(1_000_000),
  /**
   * Replicas that must confirm a client-acknowledged publish (WAIT) before the client hears OK;
   * 0 (the default) waits for none. 1 on a cluster with replicas: a failover loses no accepted job.
   */
  REDIS_WAIT_REPLICAS: intFromEnv({ min: 0, max: 16 }).default(0),
  REDIS_WAIT_TIMEOUT_MS: intFromEnv().default(500),
  STREAM_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected only letters, digits, "_", "." or "-"' })
    .default('pixsim'),
};

const sharedConfigSchema = z.object(sharedConfigShape);
export type SharedConfig = z.infer<typeof sharedConfigSchema>;
