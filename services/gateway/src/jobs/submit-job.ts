import { eventIds, type EventData, type JobEvent } from '@pixsim/contracts';
import type { ProviderRegistry } from '@pixsim/providers';
import type { Principal } from '../auth/principal.js';
import { InvalidParamsError } from '../http/errors.js';
import { foldJob, type JobRecord } from '../read-model/job-record.js';
import type { JobStore } from '../read-model/ports.js';
import type { Clock, LogPort, NewId, Publish } from '../ports.js';
import type { CreateJobBody } from './job-request.js';

export interface JobSubmitterDeps {
  providers: Pick<ProviderRegistry, 'has' | 'get'>;
  publish: Publish;
  jobs: JobStore;
  clock: Clock;
  newId: NewId;
  logger: LogPort;
}

export type SubmitJob = (principal: Principal, body: CreateJobBody) => Promise<JobRecord>;

/**
 * Accepts a job: provider limits, then JOB_REQUESTED, then the read model.
 * The event goes first and nothing is recorded when it fails, so there is never
 * a PENDING record without a durable event behind it (the old "stuck PENDING
 * after a failed enqueue"). A failed read-model write after a good publish is
 * only logged: JOB_CREATED carries every field and the view catches up.
 */
export function createJobSubmitter(deps: JobSubmitterDeps): SubmitJob {
  return async (principal, body) => {
    checkProviderLimits(deps.providers, body);
    const jobId = deps.newId();
    const data: EventData<'JOB_REQUESTED'> = {
      job_id: jobId, user_id: principal.userId, operation_type: body.operation_type, provider_id: body.provider_id,
      params: body.params, priority: body.priority, name: body.name, description: body.description,
      workspace_id: body.workspace_id, scheduled_at: body.scheduled_at, requested_at: deps.clock().toISOString(),
    };
    await deps.publish({ type: 'JOB_REQUESTED', id: eventIds.jobRequested(jobId), data, at: data.requested_at });
    const event: JobEvent = { type: 'JOB_REQUESTED', data };
    try {
      return await deps.jobs.apply(jobId, event);
    } catch (err) {
      deps.logger.warn({ err, jobId }, 'job accepted but its read-model write failed; JOB_CREATED will fill it in');
      return foldJob(null, jobId, event);
    }
  };
}

function checkProviderLimits(providers: JobSubmitterDeps['providers'], body: CreateJobBody): void {
  if (!providers.has(body.provider_id)) {
    throw new InvalidParamsError([{ field: 'provider_id', message: `unknown provider ${body.provider_id}` }]);
  }
  const issues = providers.get(body.provider_id).validate({ operationType: body.operation_type, params: body.params });
  if (issues.length > 0) throw new InvalidParamsError(issues);
}
