import { assetDto, jobDto } from '../read-model/dto.js';
import type { JobRecord } from '../read-model/job-record.js';
import type { AssetStore } from '../store/ports.js';
import type { CallbackEvent, CallbackStore } from '../store/callback-store.js';

/** Called with every job view the read model writes. */
export type OnJobView = (record: JobRecord) => Promise<void>;

/** A job's final view: COMPLETED once its asset is known (the callback carries it), FAILED, CANCELLED. */
function finalEvent(r: JobRecord): CallbackEvent | null {
  if (r.status === 'COMPLETED') return r.asset_id ? 'job.completed' : null;
  if (r.status === 'FAILED') return 'job.failed';
  if (r.status === 'CANCELLED') return 'job.cancelled';
  return null;
}

/**
 * Schedules a job's callback when its view becomes final. Jobs without a
 * callback_url cost nothing; a repeat (a redelivered event, a second replica)
 * finds the callback scheduled already. The body is the view at that moment:
 * `{event, delivery_id, job, asset}`, the job and asset as the API shows them.
 */
export function createCallbackTrigger(deps: {
  store: Pick<CallbackStore, 'schedule'>;
  assets: Pick<AssetStore, 'get'>;
  clock: () => Date;
}): OnJobView {
  return async (record) => {
    if (!record.callback_url || !record.created_at) return;
    const event = finalEvent(record);
    if (!event) return;
    const asset = record.asset_id ? await deps.assets.get(record.asset_id) : null;
    if (event === 'job.completed' && !asset) return; // ASSET_CREATED is on its way and will call again
    const body = JSON.stringify({
      event,
      delivery_id: record._id,
      job: jobDto(record, deps.clock()),
      asset: asset ? assetDto(asset) : null,
    });
    await deps.store.schedule(
      { _id: record._id, user_id: record.user_id, url: record.callback_url, event, body },
      deps.clock(),
    );
  };
}
