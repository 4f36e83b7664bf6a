import type { ConsumedEvent } from '@pixsim/bus';
import type { JobEvent } from '@pixsim/contracts';
import type { OnJobView } from '../callbacks/callback-trigger.js';
import type { JobUpdates } from '../live/job-updates.js';
import { jobDto } from '../read-model/dto.js';
import { hasEnded, type JobRecord } from '../read-model/job-record.js';
import type { JobInsights } from '../store/job-timeline.js';
import type { AccountStore, AssetStore, JobStore } from '../store/ports.js';

/** The job events the gateway folds into its read model (CONSUMERS in contracts). */
export const JOB_VIEW_EVENTS = ['JOB_CREATED', 'JOB_DEFERRED', 'JOB_SUBMITTED', 'JOB_COMPLETED', 'JOB_FAILED'] as const;
export type JobViewEvent = (typeof JOB_VIEW_EVENTS)[number];

/** After a write, the new view goes to every replica's live streams (a job not yet visible has no audience). */
function announce(updates: JobUpdates | undefined, record: JobRecord, now: Date): void {
  if (updates && record.created_at) updates.publish(record._id, { version: record.version, job: jobDto(record, now) });
}

/**
 * The event's timeline row, written beside the read model rather than before it: its batch
 * lingers (job-timeline.ts), and the view and its live update need not wait for history.
 * The handler awaits it last, so the event is acknowledged only once the row is stored;
 * when the view's write fails first, the row's fate is left to the redelivery.
 */
function recordRow(
  insights: Pick<JobInsights, 'record'> | undefined,
  event: ConsumedEvent<JobViewEvent | 'ASSET_CREATED'>,
): Promise<void> {
  if (!insights) return Promise.resolve();
  const row = insights.record(event);
  row.catch(() => {}); // awaited by the handler; this only keeps an early failure of the view from leaving it unobserved
  return row;
}

/**
 * Every handler is idempotent by construction: the job fold is order-independent
 * and a duplicate changes nothing; the asset insert and the account update are
 * conditional single-document writes. So redeliveries and any order are safe.
 * A redelivery re-announces the same version, which streams ignore.
 */
/** Told of every job that has ended (any way: completed, failed, cancelled, refused at intake); may be told twice. */
export type OnJobEnded = (userId: string, jobId: string) => Promise<void>;

export function createJobEventHandler(deps: {
  jobs: JobStore;
  updates?: JobUpdates;
  onView?: OnJobView;
  onEnded?: OnJobEnded;
  insights?: Pick<JobInsights, 'record'>;
  clock: () => Date;
}) {
  return async (event: ConsumedEvent<JobViewEvent>): Promise<void> => {
    const row = recordRow(deps.insights, event);
    const record = await deps.jobs.apply(event.data.job_id, { type: event.type, data: event.data } as JobEvent, {
      linger: true,
    });
    announce(deps.updates, record, deps.clock());
    // Before onView: a quota slot frees even when the callback scheduling fails and the event is retried.
    if (deps.onEnded && hasEnded(record) && record.user_id) await deps.onEnded(record.user_id, record._id);
    await deps.onView?.(record);
    await row;
  };
}

export function createAssetCreatedHandler(deps: {
  jobs: JobStore;
  assets: AssetStore;
  updates?: JobUpdates;
  onView?: OnJobView;
  insights?: Pick<JobInsights, 'record'>;
  clock: () => Date;
}) {
  return async (event: ConsumedEvent<'ASSET_CREATED'>): Promise<void> => {
    const row = recordRow(deps.insights, event);
    await deps.assets.insert(event.data);
    const record = await deps.jobs.apply(
      event.data.job_id,
      { type: 'ASSET_CREATED', data: event.data },
      { linger: true },
    );
    announce(deps.updates, record, deps.clock());
    await deps.onView?.(record);
    await row;
  };
}

export function createAccountUpdatedHandler(deps: { accounts: AccountStore }) {
  return async (event: ConsumedEvent<'ACCOUNT_UPDATED'>): Promise<void> => {
    await deps.accounts.applyUpdate(event.data);
  };
}
