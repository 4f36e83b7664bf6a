import { Schema, type Connection, type Model } from 'mongoose';
import type { Asset, AssetStore } from './asset.js';

const assetSchema = new Schema<Asset>(
  {
    asset_id: { type: String, required: true },
    job_id: { type: String, required: true },
    user_id: { type: String, required: true },
    media_type: { type: String, enum: ['video', 'image'], required: true },
    provider_id: { type: String, required: true },
    provider_asset_id: { type: String, required: true },
    remote_url: { type: String, required: true },
    width: Number,
    height: Number,
    duration_sec: Number,
    file_size_bytes: Number,
    created_at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'assets' },
);
assetSchema.index({ job_id: 1 }, { unique: true });
assetSchema.index({ asset_id: 1 }, { unique: true });
assetSchema.index({ user_id: 1, created_at: -1 });

const PROJECTION = { _id: 0 } as const;

/** One asset per job: the unique job_id index makes the insert idempotent (DESIGN §4). */
export async function openAssetStore(conn: Connection): Promise<AssetStore> {
  const model = (conn.models.Asset as Model<Asset> | undefined) ?? conn.model<Asset>('Asset', assetSchema);
  await model.init(); // the unique index must exist before the first upsert relies on it

  return {
    async createOnce(asset) {
      const { job_id: jobId, ...fields } = asset;
      try {
        return (await model.findOneAndUpdate(
          { job_id: jobId },
          { $setOnInsert: fields },
          { upsert: true, returnDocument: 'after', projection: PROJECTION, lean: true },
        ))!;
      } catch (err) {
        // Two deliveries raced to insert; the loser reads the winner's asset.
        if ((err as { code?: unknown }).code !== 11000) throw err;
        return (await model.findOne({ job_id: jobId }, PROJECTION).lean())!;
      }
    },
  };
}
