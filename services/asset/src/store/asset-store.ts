import { Schema, type Connection } from 'mongoose';
import { createGroupCommit, defineModel, isDuplicateKey, PRIMARY } from '@pixsim/persistence';
import type { Asset, AssetStore } from '../asset.js';

/** The stored asset: the asset and when it expires (the job retention after it was made). */
type AssetDoc = Asset & { purge_at: Date };

const assetSchema = new Schema<AssetDoc>(
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
    purge_at: Date,
  },
  { versionKey: false, collection: 'assets' },
);
assetSchema.index({ job_id: 1 }, { unique: true });
assetSchema.index({ asset_id: 1 }, { unique: true });
assetSchema.index({ user_id: 1, created_at: -1 });
// Retention: an asset record goes with its job (docs/operations/retention.md).
assetSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

export const assetModel = defineModel<AssetDoc>('Asset', assetSchema);

/** What callers see: the asset, without the storage's own fields. */
const PROJECTION = { _id: 0, purge_at: 0 } as const;

/** Tries of the insert: a collision on the minted asset id is retried with a new one. */
const MAX_TRIES = 3;

/**
 * One asset per job: the unique job_id index makes the insert idempotent. The asset id
 * is unique too: a collision there is not "another delivery won" (a different job holds
 * that id) but a reason to try again with a fresh id.
 */
export async function openAssetStore(
  conn: Connection,
  opts: {
    newId?: () => string;
    /**
     * How long an asset record is kept after it was made (PIXSIM_JOB_RETENTION_DAYS): as long
     * as its job, which ended before. So a record is never gone before its JOB_COMPLETED is
     * older than the retention, which is what the replay check of JOB_COMPLETED relies on.
     */
    retentionMs: number;
  },
): Promise<AssetStore> {
  const model = assetModel.model(conn);
  // Where indexes are built on compile (development, tests), wait for them; in production
  // (autoIndex off) the migration has built them.
  await model.init();
  const byJob = (jobId: string) => model.findOne({ job_id: jobId }, PROJECTION).read(PRIMARY.readPreference).lean();
  // Assets of jobs completed together share round trips (one bulkWrite per batch).
  const writes = createGroupCommit(assetModel.collection(conn));

  return {
    async createOnce(asset) {
      const { job_id: jobId, ...rest } = asset;
      const fields = { ...rest, purge_at: new Date(asset.created_at.getTime() + opts.retentionMs) };
      for (let attempt = 1; ; attempt++) {
        try {
          const stored = attempt === 1 || !opts.newId ? fields : { ...fields, asset_id: opts.newId() };
          const { upserted } = await writes.write({
            updateOne: { filter: { job_id: jobId }, update: { $setOnInsert: stored }, upsert: true },
          });
          // Inserted: the asset is what was sent. Matched: an earlier delivery's asset stands.
          if (upserted) {
            const { purge_at: _kept, ...sent } = stored;
            return { job_id: jobId, ...sent };
          }
          const earlier = await byJob(jobId);
          if (earlier) return earlier as Asset;
        } catch (err) {
          if (isDuplicateKey(err, 'job_id')) {
            // Two deliveries raced to insert; the loser reads the winner's asset.
            const winner = await byJob(jobId);
            if (winner) return winner as Asset;
          } else if (!isDuplicateKey(err, 'asset_id') || !opts.newId || attempt >= MAX_TRIES) {
            throw err;
          }
        }
      }
    },
    get: (jobId) => byJob(jobId) as Promise<Asset | null>,
  };
}
