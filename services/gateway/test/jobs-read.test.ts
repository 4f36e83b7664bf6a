import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, createHarness, validJob, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const get = (url: string) => h.app.inject({ method: 'GET', url, headers: AUTH });
const postJob = async (over: Record<string, unknown> = {}): Promise<string> => {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob(over) });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
};

/** Runs the body against a fresh database and prefix, for tests that count every job. */
async function withOwnHarness(body: () => Promise<void>): Promise<void> {
  const shared = h;
  h = await createHarness();
  try {
    await body();
  } finally {
    await h.close();
    h = shared;
  }
}

async function pageAll(query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/api/v1/jobs?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode).toBe(200);
    const page = res.json() as { items: Array<{ id: string }>; next_cursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((j) => j.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe('GET /api/v1/jobs/{id}', () => {
  it('when a job was posted, then GET returns the same job', async () => {
    const posted = await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() });
    const res = await get(`/api/v1/jobs/${posted.json().id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(posted.json());
  });

  it('when the id is unknown or malformed, then 404 NOT_FOUND', async () => {
    for (const id of ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'not%20an%20id']) {
      const res = await get(`/api/v1/jobs/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
  });

  it('when the pipeline moves the job on, then GET shows the new status', async () => {
    const id = await postJob();
    const { submitted, completed, asset } = jobHistory(id);
    await h.jobs.apply(id, { type: 'JOB_SUBMITTED', data: submitted });
    expect((await get(`/api/v1/jobs/${id}`)).json()).toMatchObject({
      status: 'PROCESSING',
      status_detail: 'generating',
      provider_job_id: 'pv-1',
    });
    await h.jobs.apply(id, { type: 'JOB_COMPLETED', data: completed });
    // Done at the provider, asset not recorded yet: not COMPLETED until asset_id can be read with it.
    expect((await get(`/api/v1/jobs/${id}`)).json()).toMatchObject({
      status: 'PROCESSING',
      status_detail: 'storing_asset',
      asset_id: null,
      completed_at: null,
    });
    await h.assets.insert(asset);
    await h.jobs.apply(id, { type: 'ASSET_CREATED', data: asset });
    const done = (await get(`/api/v1/jobs/${id}`)).json();
    expect(done).toMatchObject({ status: 'COMPLETED', completed_at: completed.completed_at, asset_id: asset.asset_id });
    expect((await get(`/api/v1/assets/${done.asset_id}`)).statusCode).toBe(200);
  });
});

describe('GET /api/v1/jobs', () => {
  it('when paging with filters, then each page is newest first and the filters hold', async () => {
    await withOwnHarness(async () => {
      const text = [await postJob(), await postJob(), await postJob()];
      const image = [
        await postJob({
          operation_type: 'image_to_video',
          params: { prompt: 'p', image_url: 'https://cdn.example.com/a.png' },
        }),
        await postJob({
          operation_type: 'image_to_video',
          params: { prompt: 'p', image_url: 'https://cdn.example.com/b.png' },
        }),
      ];
      const { submitted } = jobHistory(text[1]!);
      await h.jobs.apply(text[1]!, { type: 'JOB_SUBMITTED', data: submitted });

      expect(await pageAll('', 2)).toEqual([...image].reverse().concat([...text].reverse()));
      expect(await pageAll('&operation_type=image_to_video', 1)).toEqual([...image].reverse());
      expect(await pageAll('&status=PENDING&operation_type=text_to_video', 1)).toEqual([text[2], text[0]]);
      expect(await pageAll('&status=PROCESSING', 5)).toEqual([text[1]]);
      expect(await pageAll('&provider_id=other', 5)).toEqual([]);
    });
  });

  it('when jobs are added between pages, then the cursor still yields every older job exactly once', async () => {
    await withOwnHarness(async () => {
      const first = [];
      for (let i = 0; i < 5; i++) first.push(await postJob());
      const newestFirst = [...first].reverse();
      const page1 = (await get('/api/v1/jobs?limit=2')).json();
      expect(page1.items.map((j: { id: string }) => j.id)).toEqual(newestFirst.slice(0, 2));
      for (let i = 0; i < 3; i++) await postJob();
      const page2 = (await get(`/api/v1/jobs?limit=2&cursor=${page1.next_cursor}`)).json();
      expect(page2.items.map((j: { id: string }) => j.id)).toEqual(newestFirst.slice(2, 4));
      const page3 = (await get(`/api/v1/jobs?limit=2&cursor=${page2.next_cursor}`)).json();
      expect(page3.items.map((j: { id: string }) => j.id)).toEqual(newestFirst.slice(4));
      expect(page3.next_cursor).toBeNull();
    });
  });

  it('when a job is only known from a later event, then it is not listed until its creation fields arrive', async () => {
    const { submitted, created } = jobHistory('early-job');
    await h.jobs.apply('early-job', { type: 'JOB_SUBMITTED', data: submitted });
    expect((await get('/api/v1/jobs/early-job')).statusCode).toBe(404);
    expect(await pageAll('&status=PROCESSING', 100)).not.toContain('early-job');
    await h.jobs.apply('early-job', { type: 'JOB_CREATED', data: created });
    expect((await get('/api/v1/jobs/early-job')).json()).toMatchObject({
      status: 'PROCESSING',
      user_id: 'user-1',
      name: 'n',
    });
  });

  it('when the query is bad, then 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['status=DONE', 'status'],
      ['operation_type=x', 'operation_type'],
      ['cursor=garbage', 'cursor'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/v1/jobs?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(
        res.json().error.details.map((d: { field: string }) => d.field),
        query,
      ).toEqual([field]);
      expect(res.json().error.message).toContain(field);
    }
  });

  it('when no limit is given, then at most 20 come back', async () => {
    await withOwnHarness(async () => {
      for (let i = 0; i < 21; i++) await postJob();
      const page = (await get('/api/v1/jobs')).json();
      expect(page.items).toHaveLength(20);
      expect(page.next_cursor).toEqual(expect.any(String));
    });
  });
});
