import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackWorker } from '../src/callbacks/callback-worker.js';
import type { CallbackDoc } from '../src/store/callback-store.js';
import { createPasswordHasher, DEFAULT_SCRYPT_COST } from '../src/identity/password.js';
import { AUTH, createHarness, identityServiceOf, memoryLogger, signUp, validJob, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

describe('passwords', () => {
  it("when hashing, then the default cost is at least OWASP's minimum (N=2^17, r=8, p=1) and derives within maxmem", async () => {
    expect(DEFAULT_SCRYPT_COST.N).toBeGreaterThanOrEqual(2 ** 17);
    expect(DEFAULT_SCRYPT_COST.r).toBeGreaterThanOrEqual(8);
    expect(DEFAULT_SCRYPT_COST.p).toBeGreaterThanOrEqual(1);
    const hasher = createPasswordHasher();
    const stored = await hasher.hash('correct horse battery');
    expect(stored.split('$').slice(0, 4)).toEqual(['scrypt', '131072', '8', '1']);
    expect(await hasher.verify('correct horse battery', stored)).toBe(true);
    expect(hasher.needsRehash(stored)).toBe(false);
  });

  it('when a user logs in whose hash has an older cost, then it is rehashed with the current one', async () => {
    const h = await createHarness();
    try {
      const u = await signUp(h.app); // the harness hashes cheaply (N=1024)
      const before = (await h.identity.users.get(u.id))!.password_hash;
      expect(before.startsWith('scrypt$1024$')).toBe(true);
      // A hasher of a higher cost, as after an upgrade: the next login rehashes.
      const upgraded = identityServiceOf(h, { passwords: createPasswordHasher({ N: 2048, r: 8, p: 1 }) });
      await upgraded.login({ email: u.email, password: u.password });
      const after = (await h.identity.users.get(u.id))!.password_hash;
      expect(after.startsWith('scrypt$2048$8$1$')).toBe(true);
      await upgraded.login({ email: u.email, password: u.password }); // still the same password
    } finally {
      await h.close();
    }
  });
});

describe('request deadline', () => {
  let h: Harness;
  beforeAll(async () => {
    // A publish that hangs for 3 s stands for any slow dependency.
    h = await createHarness({
      requestTimeoutMs: 1_000,
      publish: () => new Promise((resolve) => setTimeout(resolve, 3_000)),
    });
  });
  afterAll(async () => h.close());

  it('when a request takes longer than REQUEST_TIMEOUT_MS, then 503 REQUEST_TIMEOUT with Retry-After', async () => {
    const u = await signUp(h.app);
    const started = Date.now();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { authorization: `Bearer ${u.token}` },
      payload: validJob(),
    });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('REQUEST_TIMEOUT');
    expect(res.headers['retry-after']).toBe('1');
  });

  it('when several requests overrun together and others finish in time, then only the slow ones get 503', async () => {
    const u = await signUp(h.app);
    const started = Date.now();
    const slow = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { authorization: `Bearer ${u.token}` },
        payload: validJob(),
      });
    const [a, b, quick] = await Promise.all([
      slow(),
      slow(),
      h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: `Bearer ${u.token}` } }),
    ]);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect([a.statusCode, b.statusCode, quick.statusCode]).toEqual([503, 503, 200]);
    expect(quick.json().items).toEqual(expect.any(Array));
  });
});

describe('request deadline and event streams', () => {
  it('when an event stream outlives REQUEST_TIMEOUT_MS, then it is not cut: it ends with the job', async () => {
    const h = await createHarness({ requestTimeoutMs: 1_000, sseHeartbeatMs: 200 });
    try {
      const posted = await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() });
      const id = posted.json().id;
      const stream = h.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}/events`, headers: AUTH });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await h.jobs.apply(id, { type: 'JOB_FAILED', data: jobHistory(id).failed });
      const res = await stream;
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('REQUEST_TIMEOUT');
      expect(res.body).toContain('"status":"FAILED"');
    } finally {
      await h.close();
    }
  });
});

describe('bootstrap admin token rotation', () => {
  it('when PIXSIM_ADMIN_TOKEN_PREVIOUS is set beside the new token, then both are accepted and nothing else', async () => {
    const h = await createHarness({ adminToken: ['the-new-admin-token-0123', 'the-old-admin-token-0123'] });
    try {
      const call = (token: string) =>
        h.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: { authorization: `Bearer ${token}` } });
      expect((await call('the-new-admin-token-0123')).statusCode).toBe(200);
      expect((await call('the-old-admin-token-0123')).statusCode).toBe(200);
      expect((await call('the-other-admin-token-01')).statusCode).toBe(401);
    } finally {
      await h.close();
    }
  });
});

describe('callback lanes', () => {
  it("when one tenant's receiver hangs, then it holds at most its share of lanes and others' callbacks still go out", async () => {
    const docs: CallbackDoc[] = [];
    const doc = (id: string, user: string) =>
      ({ _id: id, user_id: user, url: 'https://x', event: 'job.completed', body: '{}', attempts: 0 }) as CallbackDoc;
    for (let i = 0; i < 10; i++) docs.push(doc(`slow-${i}`, 'slow-tenant'));
    for (let i = 0; i < 3; i++) docs.push(doc(`fast-${i}`, 'fast-tenant'));
    const delivered: string[] = [];
    let slowInFlight = 0;
    let slowMax = 0;
    const release: Array<() => void> = [];
    const worker = createCallbackWorker({
      store: {
        // Oldest first, like the real store, honouring the users the worker skips.
        claim: async (_owner, _now, _lease, skip = []) => {
          const i = docs.findIndex((d) => !skip.includes(d.user_id!));
          return i === -1 ? null : docs.splice(i, 1)[0]!;
        },
        settle: async () => {},
      },
      send: async (cb) => {
        if (cb.user_id === 'slow-tenant') {
          slowMax = Math.max(slowMax, ++slowInFlight);
          await new Promise<void>((resolve) => release.push(resolve));
          slowInFlight--;
        } else delivered.push(cb._id);
        return { status: 200 };
      },
      owner: 'gw',
      concurrency: 4,
      perUser: 2,
      leaseMs: 10_000,
      idleMs: 10,
      clock: () => new Date(),
      policy: { maxAttempts: 3, firstRetryMs: 100 },
      logger: memoryLogger().logger,
    });
    worker.start();
    await expect.poll(() => delivered.length, { timeout: 5_000 }).toBe(3);
    expect(slowMax).toBe(2);
    const stopping = worker.stop();
    for (;;) {
      const r = release.shift();
      if (!r) break;
      r();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await stopping;
  });
});
