import { Schema, type Connection } from 'mongoose';
import { afterCursor, NEWEST_FIRST } from '../http/pagination.js';
import { assetRecordOf, type AssetRecord } from '../read-model/asset-record.js';
import { createGroupCommit, defineModel, isDuplicateKey } from '@pixsim/persistence';
import type { AssetStore } from './ports.js';
import { READ_MODEL_LINGER_MS } from './job-store.js';

const assetSchema = new Schema<AssetRecord>(
  {
    _id: String,
    job_id: String,
    user_id: String,
    media_type: String,
    provider_id: String,
    provider_asset_id: String,
    remote_url: String,
    width: Number,
    height: Number,
    duration_sec: Number,
    file_size_bytes: Number,
    created_at: Date,
  },
  { collection: 'assets', versionKey: false },
);
assetSchema.index({ user_id: 1, created_at: -1, _id: -1 });
assetSchema.index({ created_at: -1, _id: -1 });

export const assetModel = defineModel<AssetRecord>('Asset', assetSchema);

export async function createAssetStore(conn: Connection): Promise<AssetStore> {
  const Asset = assetModel.model(conn);
  const assets = assetModel.collection(conn);
  // Assets of a burst of jobs share round trips; written only from ASSET_CREATED, which no
  // request waits on, so a batch lingers as the read model's folds do.
  const writes = createGroupCommit(assets, { lingerMs: READ_MODEL_LINGER_MS });
  await Asset.init();
  return {
    async insert(data) {
      const { _id, ...fields } = assetRecordOf(data);
      try {
        // An asset is immutable: the first record wins and a redelivery changes nothing.
        await writes.write({ updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // two concurrent upserts: the other one inserted it
      }
    },
    async get(assetId) {
      return Asset.findById(assetId).lean<AssetRecord>().exec();
    },
    async list(q) {
      const filter: Record<string, unknown> = { ...afterCursor(q.after) };
      if (q.userId !== undefined) filter.user_id = q.userId;
      return Asset.find(filter)
        .sort(NEWEST_FIRST)
        .limit(q.limit + 1)
        .lean<AssetRecord[]>()
        .exec();
    },
  };
}
