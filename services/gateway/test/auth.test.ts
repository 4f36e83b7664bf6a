import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, AUTH, createHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('bearer auth', () => {
  it('when no Authorization header is sent, then a 401 has the error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/jobs' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: expect.stringContaining('missing bearer token') },
    });
  });

  it('when the token is wrong or not a bearer token, then 401', async () => {
    for (const authorization of [
      `Bearer ${ADMIN_TOKEN}x`,
      `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
      `Basic ${ADMIN_TOKEN}`,
      'Bearer ',
    ]) {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHORIZED');
    }
  });

  it('when the admin token is sent, then the API answers', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('when probes call /health, /ready and /metrics, then no token is needed', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('process_cpu');
  });

  it('when an extra authenticator knows the token, then its principal is used (how users and API keys slot in)', async () => {
    const u = await createHarness({
      authenticators: [async (t) => (t === 'user-token' ? { userId: 'u1', role: 'user' } : null)],
    });
    try {
      const jobs = await u.app.inject({
        method: 'GET',
        url: '/api/v1/jobs',
        headers: { authorization: 'Bearer user-token' },
      });
      expect(jobs.statusCode).toBe(200);
      const accounts = await u.app.inject({
        method: 'GET',
        url: '/api/v1/accounts',
        headers: { authorization: 'Bearer user-token' },
      });
      expect(accounts.statusCode).toBe(403);
      expect(accounts.json().error.code).toBe('FORBIDDEN');
    } finally {
      await u.close();
    }
  });
});
