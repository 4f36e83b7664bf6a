import type { EventData, JobEvent } from '@pixsim/contracts';

/** Event payloads of one job's causal history, for the read-model tests. */
/**
 * A job's events from `t0` on. The default is an hour ago, not a fixed date: an ended job's read
 * model expires `PIXSIM_JOB_RETENTION_DAYS` after its end, and the dev server's TTL monitor
 * would remove a record that ended long ago in the middle of a test.
 */
export function jobHistory(jobId: string, t0 = Date.now() - 3_600_000) {
  const at = (s: number) => new Date(t0 + s * 1000).toISOString();
  const sealed = { alg: 'A256GCM' as const, kid: 'k1', iv: 'aXY=', tag: 'dGFn', ct: 'Y3Q=' };
  const created: EventData<'JOB_CREATED'> = {
    job_id: jobId,
    user_id: 'user-1',
    operation_type: 'text_to_video',
    provider_id: 'pixverse',
    params: { prompt: 'a cat', model: 'v5' },
    priority: 5,
    name: 'n',
    description: null,
    workspace_id: null,
    scheduled_at: null,
    created_at: at(0),
  };
  const deferred: EventData<'JOB_DEFERRED'> = {
    job_id: jobId,
    reason: 'waiting_for_account',
    attempt: 0,
    until: null,
    deferred_at: at(1),
  };
  const submitted: EventData<'JOB_SUBMITTED'> = {
    job_id: jobId,
    user_id: 'user-1',
    attempt: 1,
    provider_id: 'pixverse',
    provider_job_id: 'pv-1',
    account_id: 'acc-1',
    credential: sealed,
    cost: 45,
    duration_sec: 5,
    submitted_at: at(2),
  };
  const completed: EventData<'JOB_COMPLETED'> = {
    job_id: jobId,
    user_id: 'user-1',
    provider_id: 'pixverse',
    provider_job_id: 'pv-1',
    account_id: 'acc-1',
    result: { url: 'https://cdn.example.com/v.mp4', width: 1280, height: 720, duration_sec: 5, file_size_bytes: 1000 },
    completed_at: at(10),
  };
  const asset: EventData<'ASSET_CREATED'> = {
    asset_id: `asset-${jobId}`,
    job_id: jobId,
    user_id: 'user-1',
    media_type: 'video',
    provider_id: 'pixverse',
    provider_asset_id: 'pv-1',
    remote_url: 'https://cdn.example.com/v.mp4',
    width: 1280,
    height: 720,
    duration_sec: 5,
    file_size_bytes: 1000,
    created_at: at(11),
  };
  const failed: EventData<'JOB_FAILED'> = {
    job_id: jobId,
    stage: 'poll',
    error_code: 'PROVIDER_FAILED',
    error_message: 'generation failed',
    retry_count: 0,
    account_id: 'acc-1',
    provider_job_id: 'pv-1',
    failed_at: at(10),
  };
  const success: JobEvent[] = [
    { type: 'JOB_CREATED', data: created },
    { type: 'JOB_DEFERRED', data: deferred },
    { type: 'JOB_SUBMITTED', data: submitted },
    { type: 'JOB_COMPLETED', data: completed },
    { type: 'ASSET_CREATED', data: asset },
  ];
  return { created, deferred, submitted, completed, asset, failed, success };
}

export function accountUpdated(
  id: string,
  revision: number,
  over: Partial<EventData<'ACCOUNT_UPDATED'>> = {},
): EventData<'ACCOUNT_UPDATED'> {
  return {
    account_id: id,
    provider_id: 'pixverse',
    email: null,
    nickname: 'main',
    status: 'ACTIVE',
    credits: 1000,
    cooldown_until: null,
    max_concurrent_jobs: 3,
    in_flight: 0,
    priority: 1,
    total_submitted: 0,
    total_failed: 0,
    last_used: null,
    created_at: '2026-01-01T00:00:00.000Z',
    deleted: false,
    revision,
    ...over,
  };
}
