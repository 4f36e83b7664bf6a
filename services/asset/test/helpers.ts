import type { PublishInput } from '@pixsim/bus';
import { eventIds } from '@pixsim/contracts';

/** How long asset records are kept in these tests: the default job retention, 90 days. */
export const RETENTION_MS = 90 * 24 * 3600 * 1000;

export function jobCompleted(
  jobId: string,
  result: Partial<PublishInput<'JOB_COMPLETED'>['data']['result']> = {},
): PublishInput<'JOB_COMPLETED'> {
  return {
    type: 'JOB_COMPLETED',
    id: eventIds.jobCompleted(jobId),
    data: {
      job_id: jobId,
      user_id: 'user-1',
      provider_id: 'pixverse',
      provider_job_id: `pv-${jobId}`,
      account_id: 'acct-1',
      result: {
        url: `https://media.example/${jobId}.mp4`,
        width: 1280,
        height: 720,
        duration_sec: 5,
        file_size_bytes: 4096,
        ...result,
      },
      // Ten seconds ago: well inside the retention, so never taken for a replay of an expired job.
      completed_at: new Date(Date.now() - 10_000).toISOString(),
    },
  };
}
