import { eventIds, type JobErrorCode } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { GenerationResult } from '@pixsim/providers';
import type { Generation } from './generation.js';

/** The publisher port: run twice, it is given the same event id. */
export type Publish = (input: PublishInput) => Promise<unknown>;

export function jobFailed(
  gen: Generation,
  stage: 'poll' | 'cancel',
  code: JobErrorCode,
  message: string,
  at: Date,
): PublishInput<'JOB_FAILED'> {
  return {
    type: 'JOB_FAILED',
    id: eventIds.jobFailed(gen.job_id),
    at: at.toISOString(),
    data: {
      job_id: gen.job_id,
      stage,
      error_code: code,
      error_message: message.slice(0, 2048),
      retry_count: Math.max(0, gen.attempt - 1),
      account_id: gen.account_id,
      provider_job_id: gen.provider_job_id,
      failed_at: at.toISOString(),
    },
  };
}

export function jobCompleted(gen: Generation, result: GenerationResult, at: Date): PublishInput<'JOB_COMPLETED'> {
  return {
    type: 'JOB_COMPLETED',
    id: eventIds.jobCompleted(gen.job_id),
    at: at.toISOString(),
    data: {
      job_id: gen.job_id,
      user_id: gen.user_id,
      provider_id: gen.provider_id,
      provider_job_id: gen.provider_job_id,
      account_id: gen.account_id,
      result: {
        url: result.url,
        width: result.width,
        height: result.height,
        duration_sec: result.duration_sec ?? gen.duration_sec,
        file_size_bytes: result.file_size_bytes,
      },
      completed_at: at.toISOString(),
    },
  };
}
