import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';
import { isIP } from 'node:net';
import { HttpError, RateLimitedError, RETRY_AFTER_S } from './errors.js';
import { ipv6Bytes } from '../jobs/public-url.js';
import { createWindowCounter, type WindowVerdict } from './window-counter.js';

export interface RateLimitSettings {
  /** A dedicated client (fail-fast options): the counts are kept through it. */
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
  /**
   * Both take `done` and answer at once when the replica holds claimed counts (see
   * createWindowCounter): no promise and no round trip on the busiest path.
   */
  perIp: onRequestHookHandler;
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

const noopDone: onRequestHookHandler = (_request, _reply, done) => done();
const noCheck = async () => {};

/**
 * Fixed windows counted in Redis, so the limits hold across replicas: keys
 * `<prefix>:svc:gateway:rl:ip:<ip>`, `<prefix>:svc:gateway:rl:user:<id>` and, for
 * password attempts, `<prefix>:svc:gateway:rl:auth:<ip>` and `…:rl:account:<email>`
 * (an IPv6 client counts by its /64). The request limits claim their counts in blocks
 * (createWindowCounter), so a busy client costs a round trip per block, not per request;
 * with Redis down they let requests through (and the publish answers 503 on its own)
 * rather than turning a blip into an outage. Password attempts are counted one by one
 * and fail closed.
 */
export async function installRateLimit(
  app: FastifyInstance,
  s: RateLimitSettings | undefined,
): Promise<RateLimitHooks> {
  if (!s) return { perIp: noopDone, perUser: noopDone, perAuthAttempt: noCheck };
  const prefix = `${s.keys.service('gateway', 'rl')}:`;
  const requests = createWindowCounter({ redis: s.redis, prefix, windowMs: s.windowMs });
  const attempts = createWindowCounter({ redis: s.redis, prefix, windowMs: s.windowMs, blockShare: 0 });
  app.addHook('onClose', (_app, done) => {
    requests.close();
    attempts.close();
    done();
  });
  const refusal = (v: WindowVerdict) => (v.allowed ? undefined : new RateLimitedError(v.retryAfterS));
  /** A request limit: the verdict now when it is known, else when Redis answers; Redis away lets it through. */
  const limit = (key: string, max: number, done: (err?: Error) => void) => {
    const v = requests.take(key, max);
    if (!(v instanceof Promise)) return done(refusal(v));
    v.then(
      (verdict) => done(refusal(verdict)),
      () => done(),
    );
  };
  // Unlike the request limits, these fail closed: with Redis away, unlimited password
  // guessing (and scrypt runs) is worse than a short wait for everyone logging in.
  const count = async (key: string, max: number) => {
    let verdict: WindowVerdict;
    try {
      verdict = await attempts.take(key, max);
    } catch {
      throw new LimiterDownError();
    }
    const refused = refusal(verdict);
    if (refused) throw refused;
  };
  const authMax = s.authMax ?? 0;
  const accountMax = s.accountMax ?? 0;
  return {
    perAuthAttempt:
      authMax > 0 || accountMax > 0
        ? async (request) => {
            if (authMax > 0) await count(`auth:${clientBucket(request.ip)}`, authMax);
            const email = (request.body as { email?: unknown } | undefined)?.email;
            if (accountMax > 0 && typeof email === 'string' && email.length <= 320)
              await count(`account:${email.trim().toLowerCase()}`, accountMax);
          }
        : noCheck,
    perIp: s.ipMax > 0 ? (request, _reply, done) => limit(`ip:${clientBucket(request.ip)}`, s.ipMax, done) : noopDone,
    perUser:
      s.userMax > 0
        ? (request, _reply, done) => {
            const principal = request.principal;
            // Admins are exempt; the bearer hook ran first, so every request here has a principal.
            if (!principal || principal.role === 'admin') return done();
            limit(`user:${principal.userId}`, s.userMax, done);
          }
        : noopDone,
  };
}
