import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';
import { isIP } from 'node:net';
import { HttpError, RateLimitedError, RETRY_AFTER_S } from './errors.js';
import { ipv6Bytes } from '../jobs/public-url.js';

export interface RateLimitSettings {
  /** A dedicated client (fail-fast options): the window script runs on it. */
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
  perUser: onRequestAsyncHookHandler;
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

/**
 * One fixed window per key: the count, and the window's time left. The first count of a
 * window gives the key the window as its expiry (so does a count that finds a key without
 * one). One script call: the counts of many requests in one turn of the event loop go out
 * together (the client pipelines the commands of a turn).
 */
const FIXED_WINDOW = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
`;
type WindowClient = { pixsimFixedWindow(key: string, windowMs: number): Promise<[number, number]> };

const noop: onRequestAsyncHookHandler = async () => {};
const noCheck = async () => {};

/**
 * Fixed windows counted in Redis, so the limits hold across replicas: keys
 * `<prefix>:svc:gateway:rl:ip:<ip>`, `<prefix>:svc:gateway:rl:user:<id>` and, for
 * password attempts, `<prefix>:svc:gateway:rl:auth:<ip>` and `…:rl:account:<email>`
 * (an IPv6 client counts by its /64). This module is the only writer of those keys.
 * With Redis down the request limits let requests through (and the publish answers
 * 503 on its own) rather than turning a blip into an outage; the password limits
 * refuse instead.
 */
export function createRateLimits(s: RateLimitSettings | undefined): RateLimitHooks {
  if (!s) return { perIp: noop, perUser: noop, perAuthAttempt: noCheck };
  const { redis, windowMs } = s;
  if (!(redis as unknown as Partial<WindowClient>).pixsimFixedWindow)
    redis.defineCommand('pixsimFixedWindow', { numberOfKeys: 1, lua: FIXED_WINDOW });
  const base = s.keys.service('gateway', 'rl');
  const count = async (key: string): Promise<{ n: number; ttlMs: number }> => {
    const [n, ttlMs] = await (redis as unknown as WindowClient).pixsimFixedWindow(key, windowMs);
    return { n: Number(n), ttlMs: Number(ttlMs) };
  };
  const refuseOver = (max: number, w: { n: number; ttlMs: number }): void => {
    if (w.n > max) throw new RateLimitedError(Math.max(1, Math.ceil(w.ttlMs / 1000)));
  };
  /** A request limit: counted, or let through when the count cannot be had. */
  const limit = async (key: string, max: number): Promise<void> => {
    let w: { n: number; ttlMs: number };
    try {
      w = await count(key);
    } catch {
      return;
    }
    refuseOver(max, w);
  };
  /** A password-attempt limit: unlike the request limits these fail closed, since unlimited guessing (and scrypt runs) is worse than a short wait for everyone logging in. */
  const limitAttempt = async (key: string, max: number): Promise<void> => {
    let w: { n: number; ttlMs: number };
    try {
      w = await count(key);
      if (!Number.isFinite(w.n)) throw new Error('no count');
    } catch {
      throw new LimiterDownError();
    }
    refuseOver(max, w);
  };
  const authMax = s.authMax ?? 0;
  const accountMax = s.accountMax ?? 0;
  return {
    perAuthAttempt:
      authMax > 0 || accountMax > 0
        ? async (request) => {
            if (authMax > 0) await limitAttempt(`${base}:auth:${clientBucket(request.ip)}`, authMax);
            const email = (request.body as { email?: unknown } | undefined)?.email;
            if (accountMax > 0 && typeof email === 'string' && email.length <= 320)
              await limitAttempt(`${base}:account:${email.trim().toLowerCase()}`, accountMax);
          }
        : noCheck,
    perIp: s.ipMax > 0 ? (request) => limit(`${base}:ip:${clientBucket(request.ip)}`, s.ipMax) : noop,
    perUser:
      s.userMax > 0
        ? async (request) => {
            const principal = request.principal;
            if (principal && principal.role !== 'admin') await limit(`${base}:user:${principal.userId}`, s.userMax);
          }
        : noop,
  };
}
