import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler, onRequestHookHandler } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';
import { isIP } from 'node:net';
import { HttpError, RateLimitedError, RETRY_AFTER_S } from './errors.js';
import { ipv6Bytes } from '../jobs/public-url.js';

export interface RateLimitSettings {
  /** A dedicated client (fail-fast options): the store's Lua script runs on it. */
  redis: Redis | Cluster;
  keys: Keys;
  /** Requests per window per client IP (every /api/v1 route, before auth); 0 = off. */
  ipMax: number;
  /** Requests per window per authenticated user (admins are exempt); 0 = off. */
  userMax: number;
  /**
   * Password attempts (login, register) per window per client IP; 0 = off. Each costs a
   * scrypt on the thread pool the whole gateway shares, so it gets a limit of its own.
   */
  authMax?: number;
  /** Password attempts per window per account (the email named), from any IP; 0 = off. */
  accountMax?: number;
  windowMs: number;
}

export interface RateLimitHooks {
  perIp: onRequestAsyncHookHandler;
  /** Takes `done`: for an admin, the usual caller of the busiest routes, it has nothing to wait for. */
  perUser: onRequestHookHandler;
  /** For the password routes only, once the body is parsed (a preHandler): per client IP and per account. */
  perAuthAttempt: (request: FastifyRequest) => Promise<void>;
}

/**
 * The client's bucket: an IPv4 address, or the /64 of an IPv6 one (a single
 * client commonly holds a whole /64, so per-address limits would not bind).
 */
export function clientBucket(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bytes = ipv6Bytes(ip);
  if (!bytes) return ip;
  const groups = Array.from({ length: 4 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  return `${groups.join(':')}::/64`;
}

/** 503 with Retry-After: the login limit cannot be checked, so no password is tried (fail closed). */
class LimiterDownError extends HttpError {
  constructor() {
    super(503, 'DEPENDENCY_DOWN', 'login attempts cannot be counted right now; retry in a few seconds', {
      retryable: true,
      headers: { 'retry-after': String(RETRY_AFTER_S) },
    });
  }
}

const noop: onRequestAsyncHookHandler = async () => {};
const noopDone: onRequestHookHandler = (_request, _reply, done) => done();
const noCheck = async () => {};

/**
 * Fixed windows counted in Redis, so the limits hold across replicas: keys
 * `<prefix>:svc:gateway:rl:ip:<ip>`, `<prefix>:svc:gateway:rl:user:<id>` and, for
 * password attempts, `<prefix>:svc:gateway:rl:auth:<ip>` and `…:rl:account:<email>`
 * (an IPv6 client counts by its /64).
 * One limiter serves both: its key is the user once the bearer hook has run,
 * the IP before. With Redis down it lets requests through (and the publish
 * answers 503 on its own) rather than turning a blip into an outage.
 */
export async function installRateLimit(
  app: FastifyInstance,
  s: RateLimitSettings | undefined,
): Promise<RateLimitHooks> {
  if (!s) return { perIp: noop, perUser: noopDone, perAuthAttempt: noCheck };
  await app.register(rateLimit, {
    global: false,
    redis: s.redis,
    nameSpace: `${s.keys.service('gateway', 'rl')}:`,
    skipOnError: true,
    timeWindow: s.windowMs,
    keyGenerator: (request: FastifyRequest) =>
      request.principal ? `user:${request.principal.userId}` : `ip:${clientBucket(request.ip)}`,
    max: (_request: FastifyRequest, key: string) => (key.startsWith('user:') ? s.userMax : s.ipMax),
  });
  const limit = app.createRateLimit();
  const check = async (request: FastifyRequest) => {
    const r = await limit(request);
    if (!r.isAllowed && r.isExceeded) throw new RateLimitedError(Math.max(1, r.ttlInSeconds));
  };
  const authMax = s.authMax ?? 0;
  const accountMax = s.accountMax ?? 0;
  const base = s.keys.service('gateway', 'rl');
  // A fixed window of its own, in one MULTI: the key is created with its expiry, then counted.
  const count = async (key: string, max: number) => {
    let n: number;
    let ttlMs: number;
    try {
      const replies = await s.redis.multi().set(key, 0, 'PX', s.windowMs, 'NX').incr(key).pttl(key).exec();
      n = Number(replies?.[1]?.[1]);
      ttlMs = Number(replies?.[2]?.[1]);
      if (!Number.isFinite(n)) throw new Error('no count');
    } catch {
      // Unlike the request limits, these fail closed: with Redis away, unlimited password
      // guessing (and scrypt runs) is worse than a short wait for everyone logging in.
      throw new LimiterDownError();
    }
    if (n > max) throw new RateLimitedError(Math.max(1, Math.ceil(ttlMs / 1000)));
  };
  return {
    perAuthAttempt:
      authMax > 0 || accountMax > 0
        ? async (request) => {
            if (authMax > 0) await count(`${base}:auth:${clientBucket(request.ip)}`, authMax);
            const email = (request.body as { email?: unknown } | undefined)?.email;
            if (accountMax > 0 && typeof email === 'string' && email.length <= 320)
              await count(`${base}:account:${email.trim().toLowerCase()}`, accountMax);
          }
        : noCheck,
    perIp: s.ipMax > 0 ? async (request) => check(request) : noop,
    perUser:
      s.userMax > 0
        ? (request, _reply, done) => {
            if (request.principal?.role === 'admin') return done();
            check(request).then(() => done(), done);
          }
        : noopDone,
  };
}
