import type { ConsumedEvent, PublishInput } from '@pixsim/bus';
import { eventIds, type EventData } from '@pixsim/contracts';
import type { AssetStore } from '../asset.js';

export interface AssetHandlerDeps {
  store: AssetStore;
  publish: (input: PublishInput<'ASSET_CREATED'>) => Promise<unknown>;
  clock: () => Date;
  /** Mints an asset id (a ULID); only the inserting delivery's id is kept. */
  newId: () => string;
  /** True for a JOB_COMPLETED replayed after its asset expired (purged-replay.ts): it is dropped. */
  isPurgedReplay(job: EventData<'JOB_COMPLETED'>): Promise<boolean>;
}

/**
 * JOB_COMPLETED → exactly one asset per job. A redelivery finds the stored asset and
 * announces it again under the same event id, with the same asset id.
 */
export function createAssetHandler(deps: AssetHandlerDeps) {
  return async (event: ConsumedEvent<'JOB_COMPLETED'>): Promise<void> => {
    const d = event.data;
    if (await deps.isPurgedReplay(d)) return;
    const asset = await deps.store.createOnce({
      asset_id: deps.newId(),
      job_id: d.job_id,
      user_id: d.user_id,
      media_type: 'video',
      provider_id: d.provider_id,
      provider_asset_id: d.provider_job_id,
      remote_url: d.result.url,
      width: d.result.width,
      height: d.result.height,
      duration_sec: d.result.duration_sec,
      file_size_bytes: d.result.file_size_bytes,
      created_at: deps.clock(),
    });
    await deps.publish({
      type: 'ASSET_CREATED',
      id: eventIds.assetCreated(asset.job_id),
      at: asset.created_at.toISOString(),
      data: {
        asset_id: asset.asset_id,
        job_id: asset.job_id,
        user_id: asset.user_id,
        media_type: asset.media_type,
        provider_id: asset.provider_id,
        provider_asset_id: asset.provider_asset_id,
        remote_url: asset.remote_url,
        width: asset.width ?? null,
        height: asset.height ?? null,
        duration_sec: asset.duration_sec ?? null,
        file_size_bytes: asset.file_size_bytes ?? null,
        created_at: asset.created_at.toISOString(),
      },
    });
  };
}
