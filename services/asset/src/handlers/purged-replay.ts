import type { EventData } from '@pixsim/contracts';
import { createPurgedReplayGuard } from '@pixsim/persistence';
import type { AssetStore } from '../asset.js';

/**
 * Tells a JOB_COMPLETED replayed after its asset record expired from a new one. An asset
 * record goes the job retention after it was made, which is after its job completed, so
 * while a JOB_COMPLETED is younger than the retention its asset, if there ever was one, is
 * still there. An older one with no asset belongs to a job whose records have all expired
 * (or waited past the retention, which the retention's setting must rule out): a new asset
 * and ASSET_CREATED for it would bring a forgotten job back, so it is dropped. Only an old
 * event costs the extra read.
 */
export function createPurgedReplayCheck(ports: {
  store: Pick<AssetStore, 'get'>;
  retentionMs: number;
  clock: () => Date;
  /** The event was dropped: log it and count it. */
  onDropped(job: EventData<'JOB_COMPLETED'>, ageMs: number): void;
}) {
  return createPurgedReplayGuard<EventData<'JOB_COMPLETED'>>({
    ...ports,
    eventTime: (job) => job.completed_at,
    recordExists: async (job) => Boolean(await ports.store.get(job.job_id)),
  });
}
