import { consume, type ConsumerSpec } from '@pixsim/kit';
import type { AccountStore, AssetStore, JobStore } from '../read-model/ports.js';
import {
  createAccountUpdatedHandler, createAssetCreatedHandler, createJobEventHandler, JOB_VIEW_EVENTS,
} from './read-model-handlers.js';

/** One consumer per stream the gateway reads (contracts CONSUMERS: every job event, assets, accounts). */
export function readModelConsumers(stores: { jobs: JobStore; assets: AssetStore; accounts: AccountStore }): ConsumerSpec[] {
  const onJobEvent = createJobEventHandler(stores);
  return [
    ...JOB_VIEW_EVENTS.map((type) => consume({ type, handler: onJobEvent })),
    consume({ type: 'ASSET_CREATED', handler: createAssetCreatedHandler(stores) }),
    consume({ type: 'ACCOUNT_UPDATED', handler: createAccountUpdatedHandler(stores) }),
  ];
}
