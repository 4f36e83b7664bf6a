import type { EventData } from '@pixsim/contracts';

/** An asset as ASSET_CREATED describes it; `created_at` a Date so lists sort by time. */
export interface AssetRecord extends Omit<EventData<'ASSET_CREATED'>, 'asset_id' | 'created_at'> {
  _id: string;
  created_at: Date;
}

export function assetRecordOf(data: EventData<'ASSET_CREATED'>): AssetRecord {
  const { asset_id, created_at, ...rest } = data;
  return { _id: asset_id, ...rest, created_at: new Date(created_at) };
}
