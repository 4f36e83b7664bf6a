import { eventIds, type EventData, type JobEvent } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import type { ValidationIssue } from '@pixsim/providers';
import type { JobStore } from '../store/job-store.js';

export interface IntakePorts {
  jobs: Pick<JobStore, 'recordRequest' | 'apply'>;
  /** Provider limits for a request; unknown providers answer with an issue too. */
  validate(request: EventData<'JOB_REQUESTED'>): ValidationIssue[];
  publish(input: PublishInput): Promise<unknown>;
  clock?: () => Date;
}

/**
 * JOB_REQUESTED → the system of record. A request within the provider's
 * limits becomes JOB_CREATED; one outside them is FAILED with INVALID_PARAMS
 * and never reaches a provider. Idempotent: a redelivery re-records nothing
 * and re-publishes the same event id.
 */
export function createJobRequestedHandler(ports: IntakePorts) {
  const now = () => (ports.clock?.() ?? new Date()).toISOString();
  return async ({ data }: { data: EventData<'JOB_REQUESTED'> }): Promise<void> => {
    const record = await ports.jobs.recordRequest(data);
    const request = record.request ?? data;
    const issues = ports.validate(request);
    if (issues.length > 0) {
      const failed: JobEvent = {
        type: 'JOB_FAILED',
        data: {
          job_id: data.job_id, stage: 'intake', error_code: 'INVALID_PARAMS',
          error_message: issues.map((i) => `${i.field}: ${i.message}`).join('; ').slice(0, 2048),
          retry_count: 0, account_id: null, provider_job_id: null, failed_at: record.facts.terminal?.at ?? now(),
        },
      };
      await ports.jobs.apply(data.job_id, failed);
      await ports.publish({ type: 'JOB_FAILED', id: eventIds.jobFailed(data.job_id), data: failed.data });
      return;
    }
    const created: EventData<'JOB_CREATED'> = {
      job_id: request.job_id, user_id: request.user_id, operation_type: request.operation_type,
      provider_id: request.provider_id, params: request.params, priority: request.priority,
      name: request.name, description: request.description, workspace_id: request.workspace_id,
      scheduled_at: request.scheduled_at, created_at: request.requested_at,
    };
    await ports.jobs.apply(data.job_id, { type: 'JOB_CREATED', data: created });
    await ports.publish({ type: 'JOB_CREATED', id: eventIds.jobCreated(data.job_id), data: created });
  };
}
