import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';
import { RateLimitedError } from './errors.js';

export interface RateLimitSettings {
  /** A dedicated client (fail-fast options): the store's Lua script runs on it. */
  redis: Redis;
  keys: Keys;
  /** Requests per window per client IP (every /api/v1 route, before auth); 0 = off. */
  ipMax: number;
  /** Requests per window per authenticated user (admins are exempt); 0 = off. */
  userMax: number;
  windowMs: number;
}

export interface RateLimitHooks {
  perIp: onRequestAsyncHookHandler;
  perUser: onRequestAsyncHookHandler;
}

const noop: onRequestAsyncHookHandler = async () => {};

/**
 * Fixed windows counted in Redis, so the limits hold across replicas: keys
 * `<prefix>:svc:gateway:rl:ip:<ip>` and `<prefix>:svc:gateway:rl:user:<id>`.
 * One limiter serves both: its key is the user once the bearer hook has run,
 * the IP before. With Redis down it lets requests through (and the publish
 * answers 503 on its own) rather than turning a blip into an outage.
 */
export async function installRateLimit(app: FastifyInstance, s: RateLimitSettings | undefined): Promise<RateLimitHooks> {
  if (!s) return { perIp: noop, perUser: noop };
  await app.register(rateLimit, {
    global: false,
    redis: s.redis,
    nameSpace: `${s.keys.service('gateway', 'rl')}:`,
    skipOnError: true,
    timeWindow: s.windowMs,
    keyGenerator: (request: FastifyRequest) => (request.principal ? `user:${request.principal.userId}` : `ip:${request.ip}`),
    max: (_request: FastifyRequest, key: string) => (key.startsWith('user:') ? s.userMax : s.ipMax),
  });
  const limit = app.createRateLimit();
  const check = async (request: FastifyRequest) => {
    const r = await limit(request);
    if (!r.isAllowed && r.isExceeded) throw new RateLimitedError(Math.max(1, r.ttlInSeconds));
  };
  return {
    perIp: s.ipMax > 0 ? async (request) => check(request) : noop,
    perUser: s.userMax > 0 ? async (request) => {
      if (request.principal?.role !== 'admin') await check(request);
    } : noop,
  };
}
