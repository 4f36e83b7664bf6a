import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobEventHandler } from '../src/handlers/read-model-handlers.js';
import { createQuotaStore } from '../src/quota/quota-store.js';
import { jobHistory } from './events.js';
import { consumed } from './fakes.js';
import { AUTH, bearer, createHarness, signUp, validJob, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const admin = (method: string, url: string, payload?: unknown) =>
  h.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: AUTH, ...(payload ? { payload } : {}) });
const postJob = (app: Harness['app'], token: string) =>
  app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(token), payload: validJob() });

describe('registration', () => {
  it('when REGISTRATION is closed, then register answers 403 REGISTRATION_CLOSED and an admin can still create users', async () => {
    const closed = await createHarness({}, { registration: 'closed' });
    try {
      const res = await closed.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'new@example.com', password: 'long enough pw' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('REGISTRATION_CLOSED');
      const created = await closed.app.inject({
        method: 'POST',
        url: '/api/v1/admin/users',
        headers: AUTH,
        payload: { email: 'new@example.com' },
      });
      expect(created.statusCode).toBe(201);
      const { password } = created.json();
      expect(password).toEqual(expect.any(String));
      const login = await closed.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'new@example.com', password },
      });
      expect(login.statusCode).toBe(200);
    } finally {
      await closed.close();
    }
  });
});

describe('user administration', () => {
  it('when an admin creates, lists, reads and patches users, then each answer is the AdminUser shape', async () => {
    const made = await admin('POST', '/admin/users', {
      email: 'Carol@Admin-Test.example',
      password: 'long enough pw',
      role: 'user',
    });
    expect(made.statusCode).toBe(201);
    expect(made.json().password).toBeUndefined(); // given, so not echoed
    const id = made.json().id;
    expect(made.json()).toEqual({
      id,
      email: 'Carol@Admin-Test.example',
      role: 'user',
      disabled: false,
      created_at: expect.any(String),
      quota: { max_active_jobs: null, jobs_per_day: null, credits_per_day: null },
      quota_overrides: {},
      usage: {
        max_active_jobs: { limit: null, used: 0, resets_at: null },
        jobs_per_day: { limit: null, used: 0, resets_at: expect.any(String) },
        credits_per_day: { limit: null, used: 0, resets_at: expect.any(String) },
      },
    });
    expect((await admin('POST', '/admin/users', { email: 'carol@admin-test.example' })).statusCode).toBe(409);

    const found = await admin('GET', '/admin/users?q=carol@admin');
    expect(found.json().items.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await admin('GET', `/admin/users?q=${id}`)).json().items).toHaveLength(1);
    expect((await admin('GET', `/admin/users/${id}`)).json().email).toBe('Carol@Admin-Test.example');
    expect((await admin('GET', '/admin/users/01J00000000000000000000000')).statusCode).toBe(404);

    const patched = await admin('PATCH', `/admin/users/${id}`, { quota: { jobs_per_day: 3, max_active_jobs: 2 } });
    expect(patched.json()).toMatchObject({
      quota: { max_active_jobs: 2, jobs_per_day: 3, credits_per_day: null },
      quota_overrides: { max_active_jobs: 2, jobs_per_day: 3 },
    });
    const back = await admin('PATCH', `/admin/users/${id}`, { quota: { jobs_per_day: null }, role: 'admin' });
    expect(back.json()).toMatchObject({ role: 'admin', quota_overrides: { max_active_jobs: 2 } });
    expect(back.json().quota_overrides).not.toHaveProperty('jobs_per_day');
    expect((await admin('PATCH', `/admin/users/${id}`, { quota: { jobs_per_day: -1 } })).statusCode).toBe(400);
    expect((await admin('PATCH', `/admin/users/${id}`, { credits: 5 })).statusCode).toBe(400);
  });

  it('when users are paged, then newest first with a cursor and no repeats', async () => {
    for (let i = 0; i < 3; i++) await admin('POST', '/admin/users', { email: `page-${i}@paging.example` });
    const first = (await admin('GET', '/admin/users?q=page-&limit=2')).json();
    expect(first.items.map((u: { email: string }) => u.email)).toEqual([
      'page-2@paging.example',
      'page-1@paging.example',
    ]);
    const second = (await admin('GET', `/admin/users?q=page-&limit=2&cursor=${first.next_cursor}`)).json();
    expect(second.items.map((u: { email: string }) => u.email)).toEqual(['page-0@paging.example']);
    expect(second.next_cursor).toBeNull();
  });

  it('when a user calls the admin user routes, then 403', async () => {
    const u = await signUp(h.app);
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(u.token) });
    expect(res.statusCode).toBe(403);
  });
});

describe('locking a user out', () => {
  it('when an admin disables a user, then their sessions and API keys answer 401 on every replica at once, and enabling lets them back', async () => {
    const other = await createHarness({}, { replicaOf: h });
    try {
      const u = await signUp(h.app);
      const key = (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/api-keys',
          headers: bearer(u.token),
          payload: { name: 'k' },
        })
      ).json().key;
      const me = (app: Harness['app'], token: string) =>
        app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(token) });
      expect((await me(other.app, u.token)).json()).toMatchObject({ id: u.id, disabled: false });

      expect((await admin('PATCH', `/admin/users/${u.id}`, { disabled: true })).json().disabled).toBe(true);
      for (const app of [h.app, other.app])
        for (const token of [u.token, key]) expect((await me(app, token)).statusCode).toBe(401);
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: u.email, password: u.password },
      });
      expect(login.statusCode).toBe(401);
      expect(login.json().error.code).toBe('ACCOUNT_DISABLED');

      await admin('PATCH', `/admin/users/${u.id}`, { disabled: false });
      for (const app of [h.app, other.app])
        for (const token of [u.token, key]) expect((await me(app, token)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('when an admin disables a user with cancel_jobs, then every waiting job of theirs gets a cancel request', async () => {
    const u = await signUp(h.app);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await postJob(h.app, u.token)).json().id);
    const res = await admin('PATCH', `/admin/users/${u.id}`, { disabled: true, cancel_jobs: true });
    expect(res.statusCode).toBe(200);
    const cancels = (await h.entries('JOB_CANCEL_REQUESTED')).map((e) => JSON.parse(e.fields.data!).job_id);
    expect(cancels).toEqual(expect.arrayContaining(ids));
  });
});

describe('quotas', () => {
  it('when a user is at max_active_jobs, then POST /jobs answers 429 QUOTA_EXCEEDED naming it, and a slot frees when a job ends', async () => {
    const u = await signUp(h.app);
    await admin('PATCH', `/admin/users/${u.id}`, { quota: { max_active_jobs: 2 } });
    const first = (await postJob(h.app, u.token)).json().id;
    expect((await postJob(h.app, u.token)).statusCode).toBe(202);
    const refused = await postJob(h.app, u.token);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: expect.stringContaining('max_active_jobs'),
    });
    expect(refused.headers['retry-after']).toBeUndefined(); // frees when a job ends, not at a time

    const usage = await h.app.inject({ method: 'GET', url: '/api/v1/users/me/usage', headers: bearer(u.token) });
    expect(usage.json().max_active_jobs).toEqual({ limit: 2, used: 2, resets_at: null });
    expect(usage.json().jobs_per_day).toMatchObject({ limit: null, used: 2 });

    // The job ends (refused at intake, say): the read model's consumer frees its slot, once.
    const quota = createQuotaStore(h.redis, h.keys, h.clock);
    const onEvent = createJobEventHandler({
      jobs: h.jobs,
      clock: h.clock,
      onEnded: (user, job) => quota.release(user, job),
    });
    await onEvent(consumed('JOB_FAILED', jobHistory(first).failed));
    await onEvent(consumed('JOB_FAILED', jobHistory(first).failed));
    expect((await postJob(h.app, u.token)).statusCode).toBe(202);
    expect((await postJob(h.app, u.token)).statusCode).toBe(429);
  });

  it('when a user is at jobs_per_day or credits_per_day, then 429 names the limit with Retry-After until UTC midnight', async () => {
    const u = await signUp(h.app);
    await admin('PATCH', `/admin/users/${u.id}`, { quota: { jobs_per_day: 1 } });
    expect((await postJob(h.app, u.token)).statusCode).toBe(202);
    const perDay = await postJob(h.app, u.token);
    expect(perDay.statusCode).toBe(429);
    expect(perDay.json().error.message).toContain('jobs_per_day');
    const retry = Number(perDay.headers['retry-after']);
    const midnight = new Date(h.clock());
    midnight.setUTCHours(24, 0, 0, 0);
    expect(retry).toBeGreaterThan(0);
    expect(Math.abs(retry - (midnight.getTime() - h.clock().getTime()) / 1000)).toBeLessThan(5);

    const c = await signUp(h.app);
    const price = h.providers
      .get('pixverse')
      .estimateCost({ operationType: 'text_to_video', params: validJob().params });
    expect(price).toBeGreaterThan(0);
    await admin('PATCH', `/admin/users/${c.id}`, { quota: { credits_per_day: price + Math.floor(price / 2) } });
    expect((await postJob(h.app, c.token)).statusCode).toBe(202);
    const credits = await postJob(h.app, c.token);
    expect(credits.statusCode).toBe(429);
    expect(credits.json().error).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      message: expect.stringContaining('credits_per_day'),
      details: { limit: 'credits_per_day', used: price },
    });
    const usage = await h.app.inject({ method: 'GET', url: '/api/v1/users/me/usage', headers: bearer(c.token) });
    expect(usage.json().credits_per_day).toMatchObject({ used: price, resets_at: midnight.toISOString() });
  });

  it('when two replicas race for the last slots, then exactly the limit is admitted', async () => {
    const other = await createHarness({}, { replicaOf: h });
    try {
      const u = await signUp(h.app);
      await admin('PATCH', `/admin/users/${u.id}`, { quota: { max_active_jobs: 3 } });
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => postJob(i % 2 ? other.app : h.app, u.token)),
      );
      const codes = answers.map((a) => a.statusCode);
      expect(codes.filter((c) => c === 202)).toHaveLength(3);
      expect(codes.filter((c) => c === 429)).toHaveLength(13);
    } finally {
      await other.close();
    }
  });

  it('when the publish fails after the quota was taken, then the POST is 503 and the quota is given back', async () => {
    const failing = await createHarness(
      {
        publish: async () => {
          throw Object.assign(new Error('redis down'), { code: 'DEPENDENCY_DOWN' });
        },
      },
      { replicaOf: h },
    );
    try {
      const u = await signUp(h.app);
      await admin('PATCH', `/admin/users/${u.id}`, { quota: { max_active_jobs: 1, jobs_per_day: 5 } });
      const res = await postJob(failing.app, u.token);
      expect(res.statusCode).toBeGreaterThanOrEqual(500);
      const usage = await h.app.inject({ method: 'GET', url: '/api/v1/users/me/usage', headers: bearer(u.token) });
      expect(usage.json()).toMatchObject({
        max_active_jobs: { used: 0 },
        jobs_per_day: { used: 0 },
        credits_per_day: { used: 0 },
      });
      expect((await postJob(h.app, u.token)).statusCode).toBe(202);
    } finally {
      await failing.close();
    }
  });
});
