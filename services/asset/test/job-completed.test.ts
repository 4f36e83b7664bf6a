import { describe, expect, it } from 'vitest';
import type { PublishInput } from '@pixsim/bus';
import { delivered } from '@pixsim/testkit';
import type { Asset, AssetStore } from '../src/asset.js';
import { createAssetHandler } from '../src/handlers/job-completed.js';
import { jobCompleted } from './helpers.js';

class MemoryAssetStore implements AssetStore {
  readonly byJob = new Map<string, Asset>();
  async createOnce(asset: Asset): Promise<Asset> {
    if (!this.byJob.has(asset.job_id)) this.byJob.set(asset.job_id, { ...asset });
    return { ...this.byJob.get(asset.job_id)! };
  }
  async get(jobId: string): Promise<Asset | null> {
    return this.byJob.get(jobId) ?? null;
  }
}

function setup() {
  const store = new MemoryAssetStore();
  const published: PublishInput<'ASSET_CREATED'>[] = [];
  let n = 0;
  let now = Date.parse('2025-01-01T00:00:00.000Z');
  const handler = createAssetHandler({
    store,
    clock: () => new Date(now),
    newId: () => `asset-${++n}`,
    publish: async (input) => void published.push(input),
    isPurgedReplay: async () => false,
  });
  return {
    store,
    published,
    handler,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

describe('asset handler', () => {
  it('when a job completes, then one video asset is stored and ASSET_CREATED announces it', async () => {
    const t = setup();
    await t.handler(delivered(jobCompleted('j1')));
    expect([...t.store.byJob.values()]).toHaveLength(1);
    expect(t.published).toEqual([
      {
        type: 'ASSET_CREATED',
        id: 'j1:ASSET_CREATED',
        at: '2025-01-01T00:00:00.000Z',
        data: {
          asset_id: 'asset-1',
          job_id: 'j1',
          user_id: 'user-1',
          media_type: 'video',
          provider_id: 'pixverse',
          provider_asset_id: 'pv-j1',
          remote_url: 'https://media.example/j1.mp4',
          width: 1280,
          height: 720,
          duration_sec: 5,
          file_size_bytes: 4096,
          created_at: '2025-01-01T00:00:00.000Z',
        },
      },
    ]);
  });

  it('when the same completion is delivered again later, then the stored asset is announced again, unchanged', async () => {
    const t = setup();
    await t.handler(delivered(jobCompleted('j1')));
    t.tick(60_000);
    await t.handler(delivered(jobCompleted('j1')));
    expect(t.store.byJob.size).toBe(1);
    expect(t.published).toHaveLength(2);
    expect(t.published[1]).toEqual(t.published[0]);
  });

  it('when the provider did not report sizes, then the asset carries nulls', async () => {
    const t = setup();
    await t.handler(
      delivered(jobCompleted('j2', { width: null, height: null, duration_sec: null, file_size_bytes: null })),
    );
    expect(t.published[0]!.data).toMatchObject({
      width: null,
      height: null,
      duration_sec: null,
      file_size_bytes: null,
    });
  });
});
