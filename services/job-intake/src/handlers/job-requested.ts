import { describeIssues, eventIds, type EventData, type JobEvent } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { validateJobRequest } from '@pixsim/providers/job-request';
import type { ValidationIssue } from '@pixsim/providers';
import type { JobStore } from '../store/job-store.js';
import type { JobJournal } from './job-journal.js';

export interface IntakePorts {
  jobs: Pick<JobStore, 'recordRequest' | 'apply'>;
  publish(input: PublishInput): Promise<unknown>;
  journal?: Pick<JobJournal, 'recorded'>;
  /** True for an event replayed after its job's record was purged (purged-replay.ts): it is dropped. */
  isPurgedReplay(event: JobEvent): Promise<boolean>;
  /** Hears a job refused at intake once, as it is first recorded (its end, like any other). */
  onTerminal?: (status: 'FAILED', errorCode: string) => void;
  clock?: () => Date;
}

/**
 * JOB_REQUESTED → the system of record. A request that passes the gateway's
 * check again (`validateJobRequest`: wire shape, then the provider's limits)
 * becomes JOB_CREATED; one that does not is FAILED with INVALID_PARAMS and
 * never reaches a provider. Idempotent: a redelivery re-records nothing
 * and re-publishes the same event id.
 */
export function createJobRequestedHandler(ports: IntakePorts) {
  const now = () => (ports.clock?.() ?? new Date()).toISOString();
  return async ({ data }: { data: EventData<'JOB_REQUESTED'> }): Promise<void> => {
    if (await ports.isPurgedReplay({ type: 'JOB_REQUESTED', data })) return;
    // The outcome is decided before the write, so a new job is recorded with it in one write;
    // a redelivery decides it again from the same request and finds it recorded already.
    const verdict = validateJobRequest(data);
    const outcome = decide(data, verdict.ok ? [] : verdict.issues, now());
    const record = await ports.jobs.recordRequest(data, outcome);
    if (record.firstTime) {
      ports.journal?.recorded(record, outcome);
      if (outcome.type === 'JOB_FAILED') ports.onTerminal?.('FAILED', outcome.data.error_code);
    }
    if (outcome.type === 'JOB_FAILED') {
      // The first failure's time is the fact; a redelivery re-announces that one.
      const failed = { ...outcome.data, failed_at: record.facts.terminal?.at ?? outcome.data.failed_at };
      await ports.jobs.apply(data.job_id, { type: 'JOB_FAILED', data: failed });
      await ports.publish({ type: 'JOB_FAILED', id: eventIds.jobFailed(data.job_id), data: failed });
      return;
    }
    await ports.jobs.apply(data.job_id, outcome);
    await ports.publish({ type: 'JOB_CREATED', id: eventIds.jobCreated(data.job_id), data: outcome.data });
  };
}

type Outcome = Extract<JobEvent, { type: 'JOB_CREATED' | 'JOB_FAILED' }>;

function decide(request: EventData<'JOB_REQUESTED'>, issues: ValidationIssue[], at: string): Outcome {
  if (issues.length > 0) {
    return {
      type: 'JOB_FAILED',
      data: {
        job_id: request.job_id,
        stage: 'intake',
        error_code: 'INVALID_PARAMS',
        error_message: describeIssues(issues).slice(0, 2048),
        retry_count: 0,
        account_id: null,
        provider_job_id: null,
        failed_at: at,
      },
    };
  }
  return {
    type: 'JOB_CREATED',
    data: {
      job_id: request.job_id,
      user_id: request.user_id,
      operation_type: request.operation_type,
      provider_id: request.provider_id,
      params: request.params,
      priority: request.priority,
      name: request.name,
      description: request.description,
      workspace_id: request.workspace_id,
      scheduled_at: request.scheduled_at,
      created_at: request.requested_at,
      ...(request.callback_url === undefined ? {} : { callback_url: request.callback_url }),
    },
  };
}
