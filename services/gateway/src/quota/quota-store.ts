import type { RedisConnection } from '@pixsim/kit';
import type { Keys } from '@pixsim/contracts';
import { DependencyDownError } from '../http/errors.js';
import { nextUtcMidnight, QUOTA_KEYS, QuotaExceededError, utcDay, type QuotaLimits, type QuotaUsage } from './quota.js';

/**
 * Admission in one Lua script, so it is atomic across replicas: two gateways
 * cannot both take the last slot. KEYS: the user's active-job set, today's job
 * counter, today's credit counter. ARGV: job id, the three limits (-1 = none),
 * the job's cost, the counters' TTL. A job already in the set (a retried
 * publish) is admitted again without counting twice.
 * Returns 0 when admitted, else 1/2/3 (which limit) and what was used.
 */
const ADMIT = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {0, 0} end
local maxActive = tonumber(ARGV[2])
local maxJobs = tonumber(ARGV[3])
local maxCredits = tonumber(ARGV[4])
local cost = tonumber(ARGV[5])
local active = redis.call('SCARD', KEYS[1])
if maxActive >= 0 and active + 1 > maxActive then return {1, active} end
local jobs = tonumber(redis.call('GET', KEYS[2]) or '0')
if maxJobs >= 0 and jobs + 1 > maxJobs then return {2, jobs} end
local credits = tonumber(redis.call('GET', KEYS[3]) or '0')
if maxCredits >= 0 and credits + cost > maxCredits then return {3, credits} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('INCRBY', KEYS[3], cost)
redis.call('EXPIRE', KEYS[3], ARGV[6])
return {0, 0}
`;

/** Gives back what admission took, once per job: only the call that removes the job from the set counts. */
const GIVE_BACK = `
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[2]) then redis.call('DECRBY', KEYS[3], ARGV[2]) end
return 1
`;

export interface QuotaStore {
  /** Takes a slot for the job, or throws QuotaExceededError (429) naming the limit; Redis away: 503. */
  admit(userId: string, jobId: string, limits: QuotaLimits, cost: number): Promise<void>;
  /** The POST was refused after admission: the slot and today's counts go back (once). */
  giveBack(userId: string, jobId: string, cost: number, admittedAt: Date): Promise<void>;
  /** The job ended (any way): its active slot is free. Idempotent per job. */
  release(userId: string, jobId: string): Promise<void>;
  usage(userId: string, limits: QuotaLimits): Promise<QuotaUsage>;
}

/**
 * Keys (this module owns them): `<prefix>:svc:gateway:quota:{<user>}:active` (a
 * set of job ids not yet ended), `…:quota:{<user>}:jobs:<YYYY-MM-DD>` and
 * `…:quota:{<user>}:credits:<YYYY-MM-DD>` (UTC days, kept two days). A set rather
 * than a counter makes the end of a job idempotent: SREM counts once.
 * Fails closed: with Redis away no job is admitted (503).
 */
export function createQuotaStore(redis: RedisConnection, keys: Keys, clock: () => Date): QuotaStore {
  // One hash tag per user: the admit and release scripts touch three keys of one user,
  // which must share a slot on Redis Cluster.
  const user = (userId: string) => keys.service('gateway', 'quota', `{${userId}}`);
  const active = (userId: string) => `${user(userId)}:active`;
  const daily = (kind: 'jobs' | 'credits', userId: string, day: string) => `${user(userId)}:${kind}:${day}`;
  const down = (err: unknown) => new DependencyDownError('redis', { cause: err });

  return {
    async admit(userId, jobId, limits, cost) {
      const now = clock();
      const day = utcDay(now);
      let reply: [number, number];
      try {
        reply = (await redis.eval(
          ADMIT,
          3,
          active(userId),
          daily('jobs', userId, day),
          daily('credits', userId, day),
          jobId,
          limits.max_active_jobs ?? -1,
          limits.jobs_per_day ?? -1,
          limits.credits_per_day ?? -1,
          cost,
          2 * 86_400,
        )) as [number, number];
      } catch (err) {
        throw down(err);
      }
      const [which, used] = reply;
      if (which === 0) return;
      const key = QUOTA_KEYS[which - 1]!;
      throw new QuotaExceededError(
        key,
        limits[key]!,
        used,
        key === 'max_active_jobs' ? null : nextUtcMidnight(now),
        now,
        cost,
      );
    },
    async giveBack(userId, jobId, cost, admittedAt) {
      const day = utcDay(admittedAt);
      await redis.eval(
        GIVE_BACK,
        3,
        active(userId),
        daily('jobs', userId, day),
        daily('credits', userId, day),
        jobId,
        cost,
      );
    },
    async release(userId, jobId) {
      await redis.srem(active(userId), jobId);
    },
    async usage(userId, limits) {
      const now = clock();
      const day = utcDay(now);
      const [activeCount, jobs, credits] = await Promise.all([
        redis.scard(active(userId)),
        redis.get(daily('jobs', userId, day)),
        redis.get(daily('credits', userId, day)),
      ]).catch((err: unknown) => {
        throw down(err);
      });
      const resets = nextUtcMidnight(now).toISOString();
      return {
        max_active_jobs: { limit: limits.max_active_jobs, used: activeCount, resets_at: null },
        jobs_per_day: { limit: limits.jobs_per_day, used: Number(jobs ?? 0), resets_at: resets },
        credits_per_day: { limit: limits.credits_per_day, used: Number(credits ?? 0), resets_at: resets },
      };
    },
  };
}
