import type { AccountRecord } from './account-record.js';
import type { AssetRecord } from './asset-record.js';
import { pickCreation, type JobRecord } from './job-record.js';

/** The API shapes clients see. Internal fields (facts, version, account_id) stay inside. */
export function jobDto(r: JobRecord, now: Date) {
  return {
    id: r._id,
    ...pickCreation(r),
    params: r.params ?? {},
    created_at: iso(r.created_at),
    status: r.status,
    status_detail: r.status_detail ?? scheduledDetail(r, now),
    error_code: r.error_code,
    error_message: r.error_message,
    retry_count: r.retry_count,
    provider_job_id: r.provider_job_id,
    asset_id: r.asset_id,
    started_at: r.started_at,
    completed_at: r.completed_at,
  };
}
export type JobDto = ReturnType<typeof jobDto>;

export function assetDto(r: AssetRecord) {
  return {
    id: r._id,
    user_id: r.user_id,
    job_id: r.job_id,
    media_type: r.media_type,
    provider_id: r.provider_id,
    provider_asset_id: r.provider_asset_id,
    remote_url: r.remote_url,
    width: r.width,
    height: r.height,
    duration_sec: r.duration_sec,
    file_size_bytes: r.file_size_bytes,
    created_at: iso(r.created_at),
  };
}

export function accountDto(r: AccountRecord) {
  return {
    id: r._id,
    provider_id: r.provider_id,
    email: r.email,
    nickname: r.nickname,
    status: r.status,
    credits: r.credits,
    cooldown_until: r.cooldown_until,
    max_concurrent_jobs: r.max_concurrent_jobs,
    in_flight: r.in_flight,
    priority: r.priority,
    total_submitted: r.total_submitted,
    total_failed: r.total_failed,
    last_used: r.last_used,
    created_at: iso(r.created_at),
  };
}

/**
 * A job held for its scheduled_at is "scheduled" at once, before the dispatcher's
 * JOB_DEFERRED says so (and it says nothing once the time has passed).
 */
function scheduledDetail(r: JobRecord, now: Date): string | null {
  return r.status === 'PENDING' && r.scheduled_at !== null && Date.parse(r.scheduled_at) > now.getTime()
    ? 'scheduled'
    : null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
