/** One finished video, recorded once per completed job. */
export interface Asset {
  asset_id: string;
  job_id: string;
  user_id: string;
  media_type: 'video' | 'image';
  provider_id: string;
  provider_asset_id: string;
  remote_url: string;
  width: number | null;
  height: number | null;
  duration_sec: number | null;
  file_size_bytes: number | null;
  created_at: Date;
}

export interface AssetStore {
  /** Inserts the asset unless one exists for its job; returns the stored one either way. */
  createOnce(asset: Asset): Promise<Asset>;
  /** The job's asset, or null when there is none (never made, or expired). */
  get(jobId: string): Promise<Asset | null>;
}
