import { consume, type ConsumerSpec } from '@pixsim/kit';
import type { OnJobView } from '../callbacks/callback-trigger.js';
import type { JobUpdates } from '../live/job-updates.js';
import type { JobInsights } from '../store/job-timeline.js';
import type { AccountStore, AssetStore, JobStore } from '../store/ports.js';
import {
  createAccountUpdatedHandler,
  createAssetCreatedHandler,
  createJobEventHandler,
  JOB_VIEW_EVENTS,
  type OnJobEnded,
} from './read-model-handlers.js';

/** One consumer per stream the gateway reads (contracts CONSUMERS: every job event, assets, accounts). */
export function readModelConsumers(deps: {
  jobs: JobStore;
  assets: AssetStore;
  accounts: AccountStore;
  updates?: JobUpdates;
  onView?: OnJobView;
  onEnded?: OnJobEnded;
  insights?: Pick<JobInsights, 'record'>;
  clock: () => Date;
}): ConsumerSpec[] {
  const onJobEvent = createJobEventHandler(deps);
  return [
    ...JOB_VIEW_EVENTS.map((type) => consume({ type, handler: onJobEvent })),
    consume({ type: 'ASSET_CREATED', handler: createAssetCreatedHandler(deps) }),
    consume({ type: 'ACCOUNT_UPDATED', handler: createAccountUpdatedHandler(deps) }),
  ];
}
