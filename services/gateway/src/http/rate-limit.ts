import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';
import { RateLimitedError } from './errors.js';

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
  windowMs: number;
}

export interface RateLimitHooks {
  perIp: onRequestAsyncHookHandler;
  perUser: onRequestAsyncHookHandler;
  /** For the password routes only. */
  perAuthAttempt: onRequestAsyncHookHandler;
}

const noop: onRequestAsyncHookHandler = async () => {};

/**
 * Fixed windows counted in Redis, so the limits hold across replicas: keys
 * `<prefix>:svc:gateway:rl:ip:<ip>`, `<prefix>:svc:gateway:rl:user:<id>` and, for
 * password attempts, `<prefix>:svc:gateway:rl:auth:<ip>`.
 * One limiter serves both: its key is the user once the bearer hook has run,
 * the IP before. With Redis down it lets requests through (and the publish
 * answers 503 on its own) rather than turning a blip into an outage.
 */
export async function installRateLimit(
  app: FastifyInstance,
  s: RateLimitSettings | undefined,
): Promise<RateLimitHooks> {
  if (!s) return { perIp: noop, perUser: noop, perAuthAttempt: noop };
  await app.register(rateLimit, {
    global: false,
    redis: s.redis,
    nameSpace: `${s.keys.service('gateway', 'rl')}:`,
    skipOnError: true,
    timeWindow: s.windowMs,
    keyGenerator: (request: FastifyRequest) =>
      request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`,
    max: (_request: FastifyRequest, key: string) => (key.startsWith('user:') ? s.userMax : s.ipMax),
  });
  const limit = app.createRateLimit();
  const check = async (request: FastifyRequest) => {
    const r = await limit(request);
    if (!r.isAllowed && r.isExceeded) throw new RateLimitedError(Math.max(1, r.ttlInSeconds));
  };
  const authMax = s.authMax ?? 0;
  return {
    perAuthAttempt:
      authMax > 0
        ? async (request) => {
            // A fixed window of its own, in one MULTI: the key is created with its expiry, then counted.
            const key = `${s.keys.service('gateway', 'rl')}:auth:${request.ip}`;
            let count: number;
            let ttlMs: number;
            try {
              const replies = await s.redis.multi().set(key, 0, 'PX', s.windowMs, 'NX').incr(key).pttl(key).exec();
              count = Number(replies?.[1]?.[1]);
              ttlMs = Number(replies?.[2]?.[1]);
            } catch {
              return; // as above: Redis down lets attempts through rather than locking everyone out
            }
            if (count > authMax) throw new RateLimitedError(Math.max(1, Math.ceil(ttlMs / 1000)));
          }
        : noop,
    perIp: s.ipMax > 0 ? async (request) => check(request) : noop,
    perUser:
      s.userMax > 0
        ? async (request) => {
            if (request.principal?.role !== 'admin') await check(request);
          }
        : noop,
  };
}
