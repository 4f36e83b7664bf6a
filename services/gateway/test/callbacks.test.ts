import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { request } from 'undici';
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackSender } from '../src/callbacks/callback-sender.js';
import { callbackBody, verifyCallback } from '@pixsim/contracts';
import { openTestDb, type TestDb } from '@pixsim/testkit';
import { createCallbackStore, type CallbackStore } from '../src/store/callback-store.js';
import { createCallbackTrigger } from '../src/callbacks/callback-trigger.js';
import { createCallbackWorker } from '../src/callbacks/callback-worker.js';
import { pinnedAgent } from '../src/callbacks/pinned-agent.js';
import { systemResolver, type ResolveHost } from '../src/jobs/public-url.js';
import { createAssetStore } from '../src/store/asset-store.js';
import { createJobStore } from '../src/store/job-store.js';
import { jobHistory } from './events.js';
import { AUTH, bearer, createHarness, fakeResolver, signUp, validJob } from './helpers.js';
import { callbackResponse } from '../src/http/response-schemas.js';

const SECRET = 'callback-secret-0123456789';
const quiet = { info: () => {}, warn: () => {} };

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A client's endpoint: answers each POST with the next status of `script` (then 200). */
async function receiver(script: number[] = []) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(script.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let db: TestDb;
let conn: Connection;
let store: CallbackStore;
const stops: Array<() => Promise<void>> = [];
beforeAll(async () => {
  db = await openTestDb('cb');
  conn = db.conn;
  store = await createCallbackStore(conn);
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});
afterAll(async () => {
  await db.drop();
});

/** A sender signing with SECRET; local receivers are allowed and names resolve offline unless `over` says. */
const sender = (over: Partial<Parameters<typeof createCallbackSender>[0]> = {}) =>
  createCallbackSender({
    secretsFor: async () => [SECRET],
    timeoutMs: 2_000,
    allowPrivate: true,
    resolveHost: fakeResolver,
    clock: () => new Date(),
    ...over,
  });

function startWorker(owner = 'gw-1', over: { allowPrivate?: boolean } = {}) {
  const worker = createCallbackWorker({
    store,
    owner,
    concurrency: 4,
    leaseMs: 5_000,
    idleMs: 20,
    clock: () => new Date(),
    logger: quiet,
    policy: { maxAttempts: 3, firstRetryMs: 100 },
    send: sender({ allowPrivate: over.allowPrivate ?? true, resolveHost: systemResolver }),
  });
  worker.start();
  stops.push(() => worker.stop());
  return worker;
}

const settled = async (id: string) => {
  await expect.poll(async () => (await store.get(id))?.state, { timeout: 10_000, interval: 20 }).not.toBe('pending');
  return (await store.get(id))!;
};

describe('callback delivery (real MongoDB, a local receiver)', () => {
  it('when a callback is scheduled twice, then it is POSTed once, signed, with its event and delivery id', async () => {
    const r = await receiver();
    stops.push(r.close);
    const id = `job-${randomUUID()}`;
    const body = JSON.stringify({ event: 'job.completed', delivery_id: id });
    expect(await store.schedule({ _id: id, url: r.url, event: 'job.completed', body }, new Date())).toBe(true);
    expect(await store.schedule({ _id: id, url: r.url, event: 'job.completed', body }, new Date())).toBe(false);
    startWorker();
    expect(await settled(id)).toMatchObject({
      state: 'delivered',
      attempts: 1,
      last_status: 200,
      purge_at: expect.any(Date),
    });
    expect(r.got).toHaveLength(1);
    const [{ headers, body: sent }] = r.got as [Received];
    expect(sent).toBe(body);
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'x-pixsim-event': 'job.completed',
      'x-pixsim-delivery': id,
      'x-pixsim-attempt': '1',
    });
    expect(verifyCallback(SECRET, sent, String(headers['x-pixsim-signature']), Math.floor(Date.now() / 1000))).toBe(
      true,
    );
  });

  it('when the receiver answers 503 twice, then the third attempt delivers it; a 410 is given up at once', async () => {
    const flaky = await receiver([503, 503, 200]);
    const gone = await receiver([410]);
    stops.push(flaky.close, gone.close);
    const a = `job-${randomUUID()}`;
    const b = `job-${randomUUID()}`;
    await store.schedule({ _id: a, url: flaky.url, event: 'job.failed', body: '{}' }, new Date());
    await store.schedule({ _id: b, url: gone.url, event: 'job.failed', body: '{}' }, new Date());
    startWorker();
    expect(await settled(a)).toMatchObject({ state: 'delivered', attempts: 3, last_status: 200 });
    expect(flaky.got.map((g) => g.headers['x-pixsim-attempt'])).toEqual(['1', '2', '3']);
    expect(await settled(b)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_status: 410,
      last_error: 'answered 410: not retried',
    });
    expect(gone.got).toHaveLength(1);
  });

  it('when nothing listens, then it is retried up to the last attempt and given up with the error', async () => {
    const r = await receiver();
    await r.close(); // its port is now closed
    const id = `job-${randomUUID()}`;
    await store.schedule({ _id: id, url: r.url, event: 'job.failed', body: '{}' }, new Date());
    startWorker();
    const done = await settled(id);
    expect(done).toMatchObject({
      state: 'failed',
      attempts: 3,
      last_status: null,
      last_error: expect.stringMatching(/^could not connect to the receiver.*\(last of 3 attempts\)$/),
    });
    // The owner reads last_error: no socket code, address or port to probe the gateway's network with.
    const { port } = new URL(r.url);
    expect(done.last_error).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(done.last_error).not.toContain(port);
  });

  it('when two replicas deliver 30 callbacks, then each is POSTed exactly once', async () => {
    const r = await receiver();
    stops.push(r.close);
    const ids = Array.from({ length: 30 }, () => `job-${randomUUID()}`);
    for (const id of ids) await store.schedule({ _id: id, url: r.url, event: 'job.completed', body: '{}' }, new Date());
    startWorker('gw-1');
    startWorker('gw-2');
    for (const id of ids) expect((await settled(id)).state).toBe('delivered');
    const counts = new Map<string, number>();
    for (const g of r.got)
      counts.set(String(g.headers['x-pixsim-delivery']), (counts.get(String(g.headers['x-pixsim-delivery'])) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(counts.size).toBe(30);
  });

  it('when private hosts are not allowed, then a loopback callback is refused at delivery and never sent', async () => {
    const r = await receiver();
    stops.push(r.close);
    const id = `job-${randomUUID()}`;
    await store.schedule({ _id: id, url: r.url, event: 'job.completed', body: '{}' }, new Date());
    startWorker('gw-1', { allowPrivate: false });
    expect(await settled(id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: expect.stringContaining('private or loopback'),
    });
    expect(r.got).toHaveLength(0);
  });
});

describe('callback delivery against DNS rebinding (real sockets on loopback)', () => {
  /** A listener on loopback that only counts the connections reaching it. */
  async function trap() {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      connections: () => connections,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }
  const cb = (url: string) => ({ _id: `job-${randomUUID()}`, url, event: 'job.completed' as const, body: '{}' });

  it('when a name answers a public address first and 127.0.0.1 after, then no delivery ever connects to loopback', async () => {
    const t = await trap();
    stops.push(t.close);
    const asked: string[] = [];
    // `localhost` so that any second resolution outside this port (the system's) would land on the trap too.
    const rebinding: ResolveHost = async (host) => {
      asked.push(host);
      return asked.length === 1 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    };
    const send = sender({ timeoutMs: 300, allowPrivate: false, resolveHost: rebinding });
    const first = await send(cb(`http://localhost:${t.port}/hook`), 1);
    expect(first).toEqual({
      error: expect.stringMatching(/^(could not connect to the receiver|the receiver did not answer in time)$/),
      retryable: true,
    });
    expect(asked).toEqual(['localhost']); // resolved once per delivery: the checked answer is the one used
    const second = await send(cb(`http://localhost:${t.port}/hook`), 2);
    expect(second).toMatchObject({ error: expect.stringContaining('private or loopback'), retryable: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(t.connections()).toBe(0);
  });

  it('when an agent is pinned to an address, then a request for another name connects there and keeps its own Host', async () => {
    const r = await receiver();
    stops.push(r.close);
    const port = new URL(r.url).port;
    const agent = pinnedAgent('127.0.0.1', 4, 2_000);
    try {
      const res = await request(`http://hooks.example.invalid:${port}/hook`, {
        method: 'POST',
        body: 'x',
        dispatcher: agent,
      });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
    } finally {
      await agent.close();
    }
    expect(r.got).toHaveLength(1);
    expect(r.got[0]!.headers.host).toBe(`hooks.example.invalid:${port}`);
  });

  it('when private hosts are allowed, then a callback to a local receiver is still delivered', async () => {
    const r = await receiver();
    stops.push(r.close);
    const send = sender();
    expect(await send(cb(r.url.replace('127.0.0.1', 'localhost')), 1)).toEqual({ status: 200 });
    expect(r.got).toHaveLength(1);
  });

  it('when the connection is refused, then the stored error names neither the address nor the port, and the detail is logged', async () => {
    const r = await receiver();
    await r.close();
    const port = new URL(r.url).port;
    const logged: object[] = [];
    const send = sender({
      logger: { warn: (o) => logged.push(o) },
    });
    const result = await send(cb(r.url), 1);
    expect(result).toEqual({ error: 'could not connect to the receiver', retryable: true });
    const text = JSON.stringify(result);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(port);
    expect(text).not.toContain('ECONNREFUSED');
    expect(logged).toHaveLength(1);
  });
});

describe('callback scheduling from the read model', () => {
  it('when a job with a callback_url completes, then its callback is scheduled once its asset is known, carrying job and asset', async () => {
    const [jobs, assets] = await Promise.all([createJobStore(conn), createAssetStore(conn)]);
    const trigger = createCallbackTrigger({ store, assets, clock: () => new Date() });
    const h = jobHistory(`01J${randomUUID().replace(/-/g, '').slice(0, 23).toUpperCase()}`);
    const jobId = h.created.job_id;
    const created = { ...h.created, callback_url: 'https://hooks.example.com/pixsim' };
    await trigger(await jobs.apply(jobId, { type: 'JOB_CREATED', data: created }));
    await trigger(await jobs.apply(jobId, { type: 'JOB_SUBMITTED', data: h.submitted }));
    await trigger(await jobs.apply(jobId, { type: 'JOB_COMPLETED', data: h.completed }));
    expect(await store.get(jobId)).toBeNull(); // COMPLETED, but the asset is not known yet
    await assets.insert(h.asset);
    const done = await jobs.apply(jobId, { type: 'ASSET_CREATED', data: h.asset });
    await trigger(done);
    await trigger(done); // a redelivery
    const cb = (await store.get(jobId))!;
    expect(cb).toMatchObject({
      user_id: h.created.user_id,
      url: 'https://hooks.example.com/pixsim',
      event: 'job.completed',
      state: 'pending',
      attempts: 0,
    });
    const body = JSON.parse(cb.body);
    expect(body).toMatchObject({
      event: 'job.completed',
      delivery_id: jobId,
      job: {
        id: jobId,
        status: 'COMPLETED',
        asset_id: h.asset.asset_id,
        callback_url: 'https://hooks.example.com/pixsim',
      },
      asset: { id: h.asset.asset_id, remote_url: h.asset.remote_url },
    });
    // The body is exactly the shape the contracts publish for receivers.
    expect(callbackBody.safeParse(body).error).toBeUndefined();

    const f = jobHistory(`01J${randomUUID().replace(/-/g, '').slice(0, 23).toUpperCase()}`);
    await trigger(
      await jobs.apply(f.created.job_id, {
        type: 'JOB_CREATED',
        data: { ...f.created, callback_url: 'https://hooks.example.com/x' },
      }),
    );
    await trigger(await jobs.apply(f.created.job_id, { type: 'JOB_FAILED', data: f.failed }));
    expect(await store.get(f.created.job_id)).toMatchObject({ event: 'job.failed' });
    const plain = jobHistory(`01J${randomUUID().replace(/-/g, '').slice(0, 23).toUpperCase()}`);
    await trigger(await jobs.apply(plain.created.job_id, { type: 'JOB_CREATED', data: plain.created }));
    await trigger(await jobs.apply(plain.created.job_id, { type: 'JOB_FAILED', data: plain.failed }));
    expect(await store.get(plain.created.job_id)).toBeNull();
  });
});

describe('callback_url on POST /api/v1/jobs', () => {
  it('when callbacks are off, then a callback_url is refused naming the field and saying why', async () => {
    const h = await createHarness();
    try {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: AUTH,
        payload: { ...validJob(), callback_url: 'https://hooks.example.com/a' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([
        { field: 'callback_url', message: expect.stringContaining('CALLBACK_SECRET') },
      ]);
    } finally {
      await h.close();
    }
  });

  it('when callbacks are on, then plain http, private hosts and credentials are refused, and a public https URL is kept on the job', async () => {
    const h = await createHarness({ callbacks: { allowPrivate: false, store }, resolveHost: fakeResolver });
    try {
      const post = (callback_url: string) =>
        h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: { ...validJob(), callback_url } });
      for (const [url, why] of [
        ['http://hooks.example.com/a', 'must be an https URL'],
        ['https://localhost/a', 'private or loopback'],
        ['https://10.1.2.3/a', 'private or loopback'],
        ['https://u:p@hooks.example.com/a', 'must not carry credentials'],
        ['not a url', 'not a URL'],
      ]) {
        const res = await post(url!);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.details, url).toEqual([
          { field: 'callback_url', message: expect.stringContaining(why!) },
        ]);
      }
      const ok = await post('https://hooks.example.com/pixsim');
      expect(ok.statusCode).toBe(202);
      expect(ok.json().callback_url).toBe('https://hooks.example.com/pixsim');
      const [entry] = await h.entries('JOB_REQUESTED');
      expect(JSON.parse(entry!.fields.data!).callback_url).toBe('https://hooks.example.com/pixsim');
    } finally {
      await h.close();
    }
  });
});

describe('GET /api/v1/jobs/{id}/callback and its resend', () => {
  it('when a callback was given up, then its owner sees why and can send it again; others see nothing; a second resend while pending is 409', async () => {
    const h = await createHarness({ callbacks: { allowPrivate: false, store }, resolveHost: fakeResolver });
    try {
      const owner = await signUp(h.app);
      const other = await signUp(h.app);
      const url = 'https://hooks.example.com/pixsim';
      const job = (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/jobs',
          headers: bearer(owner.token),
          payload: { ...validJob(), callback_url: url },
        })
      ).json().id as string;
      const plain = (
        await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(owner.token), payload: validJob() })
      ).json().id as string;
      const get = (id: string, headers: Record<string, string>) =>
        h.app.inject({ method: 'GET', url: `/api/v1/jobs/${id}/callback`, headers });
      const resend = (id: string, headers: Record<string, string>) =>
        h.app.inject({ method: 'POST', url: `/api/v1/jobs/${id}/callback/resend`, headers });

      const early = await get(job, bearer(owner.token));
      expect(early.statusCode).toBe(404);
      expect(early.json().error.message).toContain('sent when the job ends');
      expect((await get(plain, bearer(owner.token))).statusCode).toBe(404);

      // The job ended and its receiver answered 410: given up after one attempt.
      await store.schedule({ _id: job, url, event: 'job.failed', body: '{}' }, new Date());
      // Claim until this one comes up (callbacks of earlier tests are due before it).
      for (let i = 0; i < 50 && (await store.claim('gw-test', new Date(), 60_000))?._id !== job; i++);
      await store.settle(
        job,
        'gw-test',
        { kind: 'failed', status: 410, error: 'answered 410: not retried' },
        new Date(),
      );

      const seen = await get(job, bearer(owner.token));
      expect(seen.statusCode).toBe(200);
      expect(callbackResponse.parse(seen.json())).toMatchObject({
        job_id: job,
        url,
        event: 'job.failed',
        state: 'failed',
        attempts: 1,
        last_status: 410,
        next_attempt_at: null,
      });
      expect((await get(job, AUTH)).statusCode).toBe(200); // an admin sees every job's
      expect((await get(job, bearer(other.token))).statusCode).toBe(404); // never reveal someone else's
      expect((await get(job, {})).statusCode).toBe(401);
      expect((await resend(job, bearer(other.token))).statusCode).toBe(404);

      const again = await resend(job, bearer(owner.token));
      expect(again.statusCode).toBe(202);
      expect(callbackResponse.parse(again.json())).toMatchObject({
        state: 'pending',
        attempts: 0,
        next_attempt_at: expect.any(String),
      });
      expect(await store.get(job)).toMatchObject({ state: 'pending', attempts: 0, owner: null, purge_at: null });
      const busy = await resend(job, bearer(owner.token));
      expect(busy.statusCode).toBe(409);
      expect(busy.json().error.code).toBe('CALLBACK_PENDING');
    } finally {
      await h.close();
    }
  });

  it('when callbacks are off, then the callback routes answer 404', async () => {
    const h = await createHarness();
    try {
      const job = (
        await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() })
      ).json().id as string;
      expect(
        (await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${job}/callback`, headers: AUTH })).statusCode,
      ).toBe(404);
      expect(
        (await h.app.inject({ method: 'POST', url: `/api/v1/jobs/${job}/callback/resend`, headers: AUTH })).statusCode,
      ).toBe(404);
    } finally {
      await h.close();
    }
  });
});

describe("the operators' callbacks: GET /api/v1/admin/callbacks and POST …/resend", () => {
  let own: TestDb;
  let ops: CallbackStore;
  beforeAll(async () => {
    own = await openTestDb('cb_ops');
    ops = await createCallbackStore(own.conn);
  });
  afterAll(async () => {
    await own.drop();
  });

  /** Schedules one callback per state wanted, a millisecond apart, and settles it there. */
  async function seed(states: Array<'pending' | 'delivered' | 'failed'>): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, state] of states.entries()) {
      const id = `job-${String(i).padStart(3, '0')}-${randomUUID().slice(0, 4)}`;
      await ops.schedule(
        {
          _id: id,
          user_id: `user-${i % 2}`,
          url: `https://hooks${i % 2}.example.com/p`,
          event: 'job.failed',
          body: '{}',
        },
        new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)),
      );
      if (state !== 'pending') {
        await own.conn.collection('callbacks').updateOne({ _id: id } as never, {
          $set: {
            state,
            attempts: state === 'failed' ? 8 : 1,
            last_status: state === 'failed' ? 503 : 200,
            last_error: state === 'failed' ? 'answered 503' : null,
          },
        });
      }
      ids.push(id);
    }
    return ids;
  }

  it('when an admin lists them, then newest first, filtered by state, paged without repeats, with whose they are; users are refused', async () => {
    const ids = await seed(['failed', 'delivered', 'failed', 'pending', 'failed']);
    const h = await createHarness({ callbacks: { allowPrivate: false, store: ops }, resolveHost: fakeResolver });
    try {
      const list = (query: string, headers: Record<string, string> = AUTH) =>
        h.app.inject({ method: 'GET', url: `/api/v1/admin/callbacks${query}`, headers });
      const failed = await list('?state=failed&limit=2');
      expect(failed.statusCode).toBe(200);
      const page1 = failed.json() as { items: Array<Record<string, unknown>>; next_cursor: string };
      expect(page1.items.map((c) => c.job_id)).toEqual([ids[4], ids[2]]);
      expect(callbackResponse.parse(page1.items[0])).toMatchObject({
        user_id: 'user-0',
        state: 'failed',
        attempts: 8,
        last_status: 503,
        last_error: 'answered 503',
      });
      const page2 = (await list(`?state=failed&limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`)).json();
      expect(page2).toEqual({ items: [expect.objectContaining({ job_id: ids[0] })], next_cursor: null });
      expect((await list('')).json().items.map((c: { job_id: string }) => c.job_id)).toEqual([...ids].reverse());

      const bad = await list('?state=lost&limit=500');
      expect(bad.statusCode).toBe(400);
      expect(
        bad
          .json()
          .error.details.map((d: { field: string }) => d.field)
          .sort(),
      ).toEqual(['limit', 'state']);
      const user = await signUp(h.app);
      expect((await list('', bearer(user.token))).statusCode).toBe(403);
    } finally {
      await h.close();
    }
  });

  it('when an admin resends given-up callbacks, then only failed ones, of the ids or the oldest up to count, turn pending with fresh attempts', async () => {
    await own.conn.collection('callbacks').deleteMany({});
    const ids = await seed(['failed', 'delivered', 'failed', 'failed']);
    const h = await createHarness({ callbacks: { allowPrivate: false, store: ops }, resolveHost: fakeResolver });
    try {
      const resend = (payload?: object) =>
        h.app.inject({ method: 'POST', url: '/api/v1/admin/callbacks/resend', headers: AUTH, payload });
      const byIds = await resend({ ids: [ids[1], ids[2]] });
      expect(byIds.statusCode).toBe(202);
      expect(byIds.json()).toEqual({ resent: 1 }); // ids[1] was delivered: not a given-up one
      expect(await ops.get(ids[2]!)).toMatchObject({ state: 'pending', attempts: 0, purge_at: null });
      expect((await ops.get(ids[1]!))!.state).toBe('delivered');

      expect((await resend({ count: 1 })).json()).toEqual({ resent: 1 });
      expect((await ops.get(ids[0]!))!.state).toBe('pending'); // the oldest first
      expect((await ops.get(ids[3]!))!.state).toBe('failed');
      expect((await resend()).json()).toEqual({ resent: 1 });
      expect((await ops.get(ids[3]!))!.state).toBe('pending');

      const both = await resend({ ids: [ids[0]], count: 3 });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.details[0].message).toBe('give ids or count, not both');
    } finally {
      await h.close();
    }
  });

  it('when callbacks are off, then the admin routes say how to turn them on', async () => {
    const h = await createHarness();
    try {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/admin/callbacks', headers: AUTH });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain('set CALLBACK_SECRET');
    } finally {
      await h.close();
    }
  });
});
