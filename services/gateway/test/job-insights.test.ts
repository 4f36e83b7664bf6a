import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '@pixsim/contracts';
import { commandsOn, openTestDb, type TestDb } from '@pixsim/testkit';
import { createJobInsights, jobEventModel, type JobInsights } from '../src/store/job-timeline.js';
import { createJobStore } from '../src/store/job-store.js';
import type { JobStore } from '../src/store/ports.js';
import { jobHistory } from './events.js';
import { AUTH, bearer, createHarness, type Harness } from './helpers.js';

let h: Harness;
let db: TestDb;
let jobs: JobStore;
let insights: JobInsights;
beforeAll(async () => {
  db = await openTestDb('gwi');
  [jobs, insights] = await Promise.all([createJobStore(db.conn), createJobInsights(db.conn)]);
  h = await createHarness({ jobs, insights });
});
afterAll(async () => {
  await h.close();
  await db.drop();
});

const get = (url: string, headers: Record<string, string> = AUTH) => h.app.inject({ method: 'GET', url, headers });
/** What the read-model handler does for each event: the job view, then its timeline row. */
async function consume(events: JobEvent[], userId = 'user-1') {
  for (const [i, e] of events.entries()) {
    const data = { ...e.data, ...('user_id' in e.data ? { user_id: userId } : {}) } as JobEvent['data'];
    await jobs.apply((e.data as { job_id: string }).job_id, { ...e, data } as JobEvent);
    const at = Object.entries(data).find(([k]) => k.endsWith('_at') && k !== 'scheduled_at')?.[1] as string;
    await insights.record({ id: `${e.type}-${(e.data as { job_id: string }).job_id}-${i}`, type: e.type, at, data });
  }
}
async function userToken(): Promise<{ id: string; token: string }> {
  const creds = { email: `u-${randomUUID().slice(0, 8)}@example.com`, password: 'long enough password' };
  const user = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: creds });
  const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: creds });
  return { id: user.json().id, token: login.json().access_token };
}

describe('GET /jobs/{id}/timeline', () => {
  it("when a job's events were consumed, then its timeline lists them in order, by service, with hop times", async () => {
    const id = `01TL${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const history = jobHistory(id, Date.now() - 60_000);
    await consume(history.success);
    await consume(history.success); // a redelivery adds nothing
    const res = await get(`/api/v1/jobs/${id}/timeline`);
    expect(res.statusCode).toBe(200);
    const { events } = res.json();
    expect(events.map((e: { type: string; service: string }) => `${e.service}:${e.type}`)).toEqual([
      'job-intake:JOB_CREATED',
      'dispatcher:JOB_DEFERRED',
      'dispatcher:JOB_SUBMITTED',
      'poller:JOB_COMPLETED',
      'asset:ASSET_CREATED',
    ]);
    expect(events[0].since_previous_ms).toBeNull();
    expect(events[3]).toMatchObject({ since_previous_ms: 8_000, provider_job_id: 'pv-1', account_id: 'acc-1' });
    expect(events[1].detail).toBe('waiting_for_account');
  });

  it('when a job failed, then its timeline gives the code, the message and what the code means', async () => {
    const id = `01TF${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const h2 = jobHistory(id, Date.now() - 60_000);
    await consume([h2.success[0]!, h2.success[2]!, { type: 'JOB_FAILED', data: h2.failed }]);
    const failed = (await get(`/api/v1/jobs/${id}/timeline`)).json().events.at(-1);
    expect(failed).toMatchObject({
      service: 'poller',
      error_code: 'PROVIDER_FAILED',
      error_message: 'generation failed',
      error_explanation: 'the provider reported the generation failed',
    });
  });

  it("when a user asks for their job's timeline, then the account is hidden; another user's job is a 404", async () => {
    const alice = await userToken();
    const id = `01TU${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    await consume(jobHistory(id, Date.now() - 60_000).success, alice.id);
    const own = await get(`/api/v1/jobs/${id}/timeline`, bearer(alice.token));
    expect(own.statusCode).toBe(200);
    expect(own.json().events.every((e: { account_id: unknown }) => e.account_id === null)).toBe(true);
    const bob = await userToken();
    expect((await get(`/api/v1/jobs/${id}/timeline`, bearer(bob.token))).statusCode).toBe(404);
  });
});

describe('GET /jobs/stats', () => {
  it('when jobs ended in the last hour, then stats count them by status, by minute and failures by code', async () => {
    const carol = await userToken();
    const t0 = Date.now() - 5 * 60_000;
    const ok = `01SO${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const bad = `01SB${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const okH = jobHistory(ok, t0);
    const badH = jobHistory(bad, t0);
    await consume(okH.success, carol.id);
    await consume([badH.success[0]!, { type: 'JOB_FAILED', data: badH.failed }], carol.id);
    const res = await get('/api/v1/jobs/stats', bearer(carol.token));
    expect(res.statusCode).toBe(200);
    const stats = res.json();
    expect(stats.by_status).toMatchObject({ COMPLETED: 1, FAILED: 1, PENDING: 0 });
    expect(stats.last_hour).toMatchObject({ created: 2, completed: 1, failed: 1 });
    expect(stats.failures_by_code).toEqual([{ error_code: 'PROVIDER_FAILED', count: 1 }]);
    expect(stats.per_minute).toHaveLength(60);
    const minute = new Date(t0).toISOString().slice(0, 16);
    expect(stats.per_minute.find((m: { minute: string }) => m.minute === minute)).toMatchObject({ created: 2 });
    // The admin sees everyone's, so at least as many.
    const all = (await get('/api/v1/jobs/stats')).json();
    expect(all.last_hour.created).toBeGreaterThanOrEqual(2);
  });
});

describe('GET /jobs filters', () => {
  it('when q is a job id or words of a prompt, then the list holds the matching jobs only', async () => {
    const dave = await userToken();
    const id = `01SQ${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const word = `zebra${randomUUID().slice(0, 6)}`;
    const hist = jobHistory(id, Date.now() - 60_000);
    hist.created.params = { prompt: `A ${word} (striped) in the rain` };
    await consume([{ type: 'JOB_CREATED', data: hist.created }], dave.id);
    const byId = (await get(`/api/v1/jobs?q=${id}`)).json();
    expect(byId.items.map((j: { id: string }) => j.id)).toEqual([id]);
    const byText = (await get(`/api/v1/jobs?q=${encodeURIComponent(`${word.toUpperCase()} (striped)`)}`)).json();
    expect(byText.items.map((j: { id: string }) => j.id)).toEqual([id]);
    const byUser = (await get(`/api/v1/jobs?user_id=${dave.id}`)).json();
    expect(byUser.items.map((j: { id: string }) => j.id)).toEqual([id]);
  });

  it('when a user filters by user_id, then it is a 400 naming the field', async () => {
    const erin = await userToken();
    const res = await get('/api/v1/jobs?user_id=someone', bearer(erin.token));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0].field).toBe('user_id');
  });
});

describe('the read-model handler', () => {
  it('when it consumes a job event, then the event is in the job timeline too', async () => {
    const { createJobEventHandler } = await import('../src/handlers/read-model-handlers.js');
    const id = `01TH${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;
    const { created } = jobHistory(id, Date.now() - 1_000);
    const handle = createJobEventHandler({ jobs, insights, clock: () => new Date() });
    await handle({
      id: `ev-${id}`,
      type: 'JOB_CREATED',
      v: 1,
      at: created.created_at,
      data: created,
      streamId: '1-1',
      deliveries: 1,
      attempt: 1,
      signal: new AbortController().signal,
    });
    const events = (await get(`/api/v1/jobs/${id}/timeline`)).json().events;
    expect(events).toMatchObject([{ event_id: `ev-${id}`, type: 'JOB_CREATED', service: 'job-intake' }]);
  });
});

describe('timeline rows', () => {
  const rowCommands = () => commandsOn(db.conn, 'job_events');

  it('when events of several jobs arrive a few ms apart, then their rows share one round trip and all are stored', async () => {
    const ids = Array.from({ length: 5 }, () => `01TR${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`);
    const before = await rowCommands();
    const recorded: Promise<void>[] = [];
    for (const id of ids) {
      const { created } = jobHistory(id, Date.now() - 1_000);
      recorded.push(insights.record({ id: `row-${id}`, type: 'JOB_CREATED', at: created.created_at, data: created }));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(recorded);
    expect(await rowCommands()).toBe(before + 1);
    const stored = await jobEventModel
      .collection(db.conn)
      .find({ _id: { $in: ids.map((id) => `row-${id}`) } })
      .toArray();
    expect(stored.map((r) => r.job_id).sort()).toEqual([...ids].sort());
  });
});
