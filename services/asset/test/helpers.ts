import type { PublishInput } from '@pixsim/bus';
import { eventIds } from '@pixsim/contracts';

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
      completed_at: '2025-01-01T00:00:10.000Z',
    },
  };
}
