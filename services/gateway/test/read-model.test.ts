import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamsConsumedBy, type JobEvent } from '@pixsim/contracts';
import { readModelConsumers } from '../src/handlers/consumers.js';
import { createJobStore } from '../src/store/job-store.js';
import {
  createAccountUpdatedHandler,
  createAssetCreatedHandler,
  createJobEventHandler,
} from '../src/handlers/read-model-handlers.js';
import { AUTH, createHarness, type Harness } from './helpers.js';
import { accountUpdated, jobHistory } from './events.js';
import { consumed, memoryJobStore } from './fakes.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: AUTH });

/** Delivers a job event through the same handlers the consumers run. */
async function deliver(e: JobEvent): Promise<void> {
  if (e.type === 'ASSET_CREATED') return createAssetCreatedHandler(h)(consumed('ASSET_CREATED', e.data));
  if (e.type === 'JOB_REQUESTED') throw new Error('the gateway does not consume JOB_REQUESTED');
  return createJobEventHandler(h)(consumed(e.type, e.data as never));
}

const ORDERS: number[][] = [
  [0, 1, 2, 3, 4],
  [4, 3, 2, 1, 0],
  [2, 4, 0, 3, 1, 3, 4],
  [3, 0, 0, 4, 2, 1, 2],
  [1, 3, 4, 2, 0, 1],
];

describe('job view', () => {
  it("when a job's events arrive in different orders with duplicates, then every job shows the same view", async () => {
    const views: unknown[] = [];
    const t0 = Date.now() - 3_600_000; // one history, replayed in every order
    for (const [n, order] of ORDERS.entries()) {
      const id = `perm-${n}`;
      const { success } = jobHistory(id, t0);
      for (const i of order) await deliver(success[i]!);
      const { id: _id, asset_id, ...view } = (await get(`/api/v1/jobs/${id}`)).json();
      expect(asset_id).toBe(`asset-${id}`);
      views.push(view);
    }
    expect(views[0]).toMatchObject({ status: 'COMPLETED', user_id: 'user-1', provider_job_id: 'pv-1', retry_count: 0 });
    for (const v of views) expect(v).toEqual(views[0]);
  });

  it('when any prefix of a history in any order has been folded, then a COMPLETED view carries an asset_id that GET /assets serves', async () => {
    for (const [n, order] of ORDERS.entries()) {
      const id = `prefix-${n}`;
      const { success } = jobHistory(id);
      for (const i of order) {
        await deliver(success[i]!);
        const res = await get(`/api/v1/jobs/${id}`);
        if (res.statusCode === 404) continue; // creation fields not seen yet
        const view = res.json();
        if (view.status !== 'COMPLETED') continue;
        expect(view.asset_id, `order ${order}`).toBe(`asset-${id}`);
        expect((await get(`/api/v1/assets/${view.asset_id}`)).statusCode).toBe(200);
      }
      const done = (await get(`/api/v1/jobs/${id}`)).json();
      expect(done.status).toBe('COMPLETED');
    }
  });

  it('when the same events are applied concurrently, then optimistic concurrency loses none of them', async () => {
    const { success } = jobHistory('concurrent');
    await Promise.all([...success, ...success].map(deliver));
    const job = (await get('/api/v1/jobs/concurrent')).json();
    expect(job).toMatchObject({
      status: 'COMPLETED',
      asset_id: 'asset-concurrent',
      started_at: expect.any(String),
      name: 'n',
    });
  });

  it('when two replicas fold one job through their caches, then a stale copy costs a retry, not a lost fact', async () => {
    const [a, b] = await Promise.all([createJobStore(h.conn), createJobStore(h.conn)]);
    const { created, submitted, completed } = jobHistory('two-replicas');
    await a.apply('two-replicas', { type: 'JOB_CREATED', data: created });
    await b.apply('two-replicas', { type: 'JOB_CREATED', data: created }); // b caches version 1
    await a.apply('two-replicas', { type: 'JOB_SUBMITTED', data: submitted }); // now version 2
    const done = await b.apply('two-replicas', { type: 'JOB_COMPLETED', data: completed });
    expect(done).toMatchObject({
      status: 'PROCESSING',
      status_detail: 'storing_asset',
      provider_job_id: 'pv-1',
      version: 3,
    });
    expect(await a.get('two-replicas')).toMatchObject({
      facts: { terminal: { status: 'COMPLETED' } },
      provider_job_id: 'pv-1',
      started_at: expect.any(String),
      version: 3,
    });
  });

  it('when a handler runs on in-memory ports, then it needs no I/O', async () => {
    const jobs = memoryJobStore();
    const { created, deferred } = jobHistory('unit');
    await createJobEventHandler({ jobs, clock: h.clock })(consumed('JOB_DEFERRED', deferred));
    await createJobEventHandler({ jobs, clock: h.clock })(consumed('JOB_CREATED', created));
    expect(jobs.records.get('unit')).toMatchObject({
      status: 'PENDING',
      status_detail: 'waiting_for_account',
      version: 2,
    });
  });

  it('when the gateway builds its consumers, then they cover exactly the streams contracts assign to it', () => {
    const types = readModelConsumers(h)
      .map((c) => c.type)
      .sort();
    expect(types).toEqual([...streamsConsumedBy('gateway')].sort());
  });
});

describe('asset view', () => {
  it('when ASSET_CREATED is delivered twice, then one asset is recorded and served', async () => {
    const { asset } = jobHistory('asset-job');
    await deliver({ type: 'ASSET_CREATED', data: asset });
    await deliver({ type: 'ASSET_CREATED', data: { ...asset, remote_url: 'https://changed.example.com/x.mp4' } });
    const res = await get(`/api/v1/assets/${asset.asset_id}`);
    expect(res.statusCode).toBe(200);
    // The first delivery's fields, under the API's names: the repeat changed nothing.
    const { asset_id, ...fields } = asset;
    expect(res.json()).toEqual({ id: asset_id, ...fields });
    expect(await h.conn.collection('assets').countDocuments({ _id: asset.asset_id as never })).toBe(1);
  });

  it('when assets are listed, then newest first with a cursor; an unknown id is 404', async () => {
    const local = await createHarness();
    try {
      for (let i = 0; i < 3; i++) {
        const { asset } = jobHistory(`list-${i}`, Date.parse('2026-02-01T00:00:00Z') + i * 60_000);
        await createAssetCreatedHandler(local)(consumed('ASSET_CREATED', asset));
      }
      const p1 = (await local.app.inject({ method: 'GET', url: '/api/v1/assets?limit=2', headers: AUTH })).json();
      expect(p1.items.map((a: { job_id: string }) => a.job_id)).toEqual(['list-2', 'list-1']);
      const p2 = (
        await local.app.inject({ method: 'GET', url: `/api/v1/assets?limit=2&cursor=${p1.next_cursor}`, headers: AUTH })
      ).json();
      expect(p2).toMatchObject({ items: [{ job_id: 'list-0' }], next_cursor: null });
      const missing = await local.app.inject({ method: 'GET', url: '/api/v1/assets/nope', headers: AUTH });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('NOT_FOUND');
    } finally {
      await local.close();
    }
  });
});

describe('account view', () => {
  it('when ACCOUNT_UPDATED revisions arrive out of order, then the newest wins', async () => {
    const onUpdate = createAccountUpdatedHandler(h);
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-order', 3, { credits: 300 })));
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-order', 2, { credits: 200 })));
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-order', 3, { credits: 300 })));
    expect((await get('/api/v1/accounts/acc-order')).json()).toMatchObject({ credits: 300, max_concurrent_jobs: 3 });
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-order', 4, { credits: 400, status: 'EXHAUSTED' })));
    expect((await get('/api/v1/accounts/acc-order')).json()).toMatchObject({ credits: 400, status: 'EXHAUSTED' });
  });

  it('when the dispatcher reports an account deleted, then it is 404 and not listed', async () => {
    const onUpdate = createAccountUpdatedHandler(h);
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-gone', 1)));
    expect((await get('/api/v1/accounts/acc-gone')).statusCode).toBe(200);
    await onUpdate(consumed('ACCOUNT_UPDATED', accountUpdated('acc-gone', 2, { deleted: true })));
    expect((await get('/api/v1/accounts/acc-gone')).statusCode).toBe(404);
    const ids = (await get('/api/v1/accounts?limit=100')).json().items.map((a: { id: string }) => a.id);
    expect(ids).not.toContain('acc-gone');
  });
});

describe('which writes linger', () => {
  it('when the read model folds consumed events, then each asks to linger (no request waits on it)', async () => {
    const jobs = memoryJobStore();
    const assets = { insert: async () => {}, get: async () => null, list: async () => [] };
    const deps = { jobs, assets, clock: () => new Date() };
    const history = jobHistory('01LINGERJOB0000000000000000', Date.now() - 60_000);
    for (const e of history.success) {
      if (e.type === 'ASSET_CREATED') await createAssetCreatedHandler(deps)(consumed('ASSET_CREATED', e.data));
      else if (e.type !== 'JOB_REQUESTED') await createJobEventHandler(deps)(consumed(e.type, e.data as never));
    }
    expect(jobs.applied.length).toBeGreaterThanOrEqual(4);
    expect(jobs.applied.filter((a) => !a.linger)).toEqual([]);
  });
});
