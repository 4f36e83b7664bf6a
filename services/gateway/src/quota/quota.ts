import { HttpError } from '../http/errors.js';

export const QUOTA_KEYS = ['max_active_jobs', 'jobs_per_day', 'credits_per_day'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** Per-user limits; null = no limit. */
export type QuotaLimits = Record<QuotaKey, number | null>;
/** An admin's per-user override: only the keys set differ from the defaults. */
export type QuotaOverrides = Partial<Record<QuotaKey, number>>;

export const NO_LIMITS: QuotaLimits = { max_active_jobs: null, jobs_per_day: null, credits_per_day: null };

/** The limits that hold for a user: the operator's defaults, then the admin's overrides. */
export const effectiveLimits = (defaults: QuotaLimits, overrides: QuotaOverrides | undefined): QuotaLimits => ({
  ...defaults,
  ...(overrides ?? {}),
});

interface QuotaUsageEntry {
  limit: number | null;
  used: number;
  /** When the counter starts again (null: when jobs end, not at a time). */
  resets_at: string | null;
}
export type QuotaUsage = Record<QuotaKey, QuotaUsageEntry>;

/** Daily counters run per UTC day. */
export const utcDay = (now: Date): string => now.toISOString().slice(0, 10);
export const nextUtcMidnight = (now: Date): Date =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));

const WHAT: Record<QuotaKey, string> = {
  max_active_jobs: 'jobs not yet finished',
  jobs_per_day: 'jobs per day (UTC)',
  credits_per_day: 'credits per day (UTC)',
};

/** 429: a job would take the user past a limit; Retry-After when the limit resets at a known time. */
export class QuotaExceededError extends HttpError {
  constructor(key: QuotaKey, limit: number, used: number, resetsAt: Date | null, now: Date, cost?: number) {
    const more = key === 'credits_per_day' && cost !== undefined ? ` (this job costs ${cost})` : '';
    super(
      429,
      'QUOTA_EXCEEDED',
      `quota ${key} exceeded: ${used} of ${limit} ${WHAT[key]} used${more}` +
        (resetsAt ? `; resets at ${resetsAt.toISOString()}` : '; a slot frees when one of your jobs ends'),
      {
        details: { limit: key, max: limit, used, resets_at: resetsAt?.toISOString() ?? null },
        headers: resetsAt
          ? { 'retry-after': String(Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000))) }
          : {},
      },
    );
  }
}
