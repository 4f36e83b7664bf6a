import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokens } from '../src/identity/access-tokens.js';
import { AUTH, bearer, createHarness, JWT_SECRET, signUp, signUpAdmin, validJob, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

/**
 * Every route × every kind of caller. Anonymous kinds get 401 on every route
 * behind the bearer hook; a user gets 404 for what is someone else's and 403 for
 * admin routes; an admin gets through.
 */
type Caller = 'none' | 'bad' | 'expired' | 'logged_out' | 'deleted_key' | 'owner' | 'other' | 'admin' | 'bootstrap';
const ANONYMOUS: Caller[] = ['none', 'bad', 'expired', 'logged_out', 'deleted_key'];

let h: Harness;
let owner: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;
let admin: Awaited<ReturnType<typeof signUp>>;
let pendingJob: string;
let doneJob: string;
let assetId: string;
let accountId: string;
const headers: Partial<Record<Caller, () => Promise<Record<string, string>>>> = {};

const login = async (u: { email: string; password: string }) =>
  bearer(
    (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: u.email, password: u.password },
      })
    ).json().access_token,
  );
const newKey = async (u: { token: string }) =>
  (
    await h.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(u.token), payload: { name: 'k' } })
  ).json() as { id: string; key: string };

beforeAll(async () => {
  h = await createHarness();
  [owner, other, admin] = [await signUp(h.app), await signUp(h.app), await signUpAdmin(h.app)];
  const post = async () =>
    (
      await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: bearer(owner.token), payload: validJob() })
    ).json().id as string;
  [pendingJob, doneJob] = [await post(), await post()];
  const history = jobHistory(doneJob);
  await h.jobs.apply(doneJob, { type: 'JOB_FAILED', data: history.failed });
  assetId = `asset-${doneJob}`;
  await h.assets.insert({ ...history.asset, asset_id: assetId, user_id: owner.id });
  accountId = (
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: AUTH,
      payload: { provider_id: 'pixverse', api_key: 'sk-1' },
    })
  ).json().id;

  const expiredTokens = createAccessTokens({
    secret: JWT_SECRET,
    ttlS: 60,
    clock: () => new Date(Date.now() - 3_600_000),
  });
  const loggedOut = await login(owner);
  await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: loggedOut });
  const deleted = await newKey(owner);
  await h.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${deleted.id}`, headers: bearer(owner.token) });
  const expiredLogin = await login(owner); // a live session, but its token has expired
  const sid = JSON.parse(Buffer.from(expiredLogin.authorization.split('.')[1]!, 'base64url').toString()).sid;
  const expired = await expiredTokens.sign({ userId: owner.id, sessionId: sid });

  Object.assign(headers, {
    none: async () => ({}),
    bad: async () => bearer('not-a-token'),
    expired: async () => bearer(expired),
    logged_out: async () => loggedOut,
    deleted_key: async () => bearer(deleted.key),
    owner: () => login(owner), // a fresh session each call: logout must not end the others
    other: () => login(other),
    admin: () => login(admin),
    bootstrap: async () => AUTH,
  });
});
afterAll(async () => h.close());

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: () => Promise<string> | string;
  payload?: object;
  expect: { owner: number; other: number; admin: number; bootstrap: number };
}

const USER_OK = (s: number) => ({ owner: s, other: s, admin: s, bootstrap: s });
const ADMIN_ONLY = (s: number) => ({ owner: 403, other: 403, admin: s, bootstrap: s });
const OWNED = (s: number) => ({ owner: s, other: 404, admin: s, bootstrap: s });

const ROUTES: RouteCase[] = [
  { method: 'POST', url: () => '/api/v1/auth/logout', expect: { owner: 204, other: 204, admin: 204, bootstrap: 400 } },
  { method: 'GET', url: () => '/api/v1/users/me', expect: USER_OK(200) },
  {
    method: 'POST',
    url: () => '/api/v1/api-keys',
    payload: { name: 'n' },
    expect: { owner: 201, other: 201, admin: 201, bootstrap: 403 },
  },
  { method: 'GET', url: () => '/api/v1/api-keys', expect: { owner: 200, other: 200, admin: 200, bootstrap: 403 } },
  {
    method: 'DELETE',
    url: async () => `/api/v1/api-keys/${(await newKey(owner)).id}`,
    expect: { owner: 204, other: 404, admin: 404, bootstrap: 403 },
  },
  { method: 'POST', url: () => '/api/v1/jobs', payload: validJob(), expect: USER_OK(202) },
  { method: 'GET', url: () => '/api/v1/jobs', expect: USER_OK(200) },
  { method: 'GET', url: () => `/api/v1/jobs/${pendingJob}`, expect: OWNED(200) },
  { method: 'DELETE', url: () => `/api/v1/jobs/${pendingJob}`, expect: OWNED(202) },
  { method: 'DELETE', url: () => `/api/v1/jobs/${doneJob}`, expect: OWNED(409) },
  { method: 'GET', url: () => `/api/v1/jobs/${doneJob}/events`, expect: OWNED(200) },
  { method: 'GET', url: () => '/api/v1/assets', expect: USER_OK(200) },
  { method: 'GET', url: () => `/api/v1/assets/${assetId}`, expect: OWNED(200) },
  {
    method: 'POST',
    url: () => '/api/v1/accounts',
    payload: { provider_id: 'pixverse', api_key: 'sk-2' },
    expect: ADMIN_ONLY(201),
  },
  { method: 'GET', url: () => '/api/v1/accounts', expect: ADMIN_ONLY(200) },
  { method: 'GET', url: () => `/api/v1/accounts/${accountId}`, expect: ADMIN_ONLY(200) },
  { method: 'PATCH', url: () => `/api/v1/accounts/${accountId}`, payload: { priority: 3 }, expect: ADMIN_ONLY(202) },
  {
    method: 'POST',
    url: () => `/api/v1/accounts/${accountId}/credits`,
    payload: { credits: 10 },
    expect: ADMIN_ONLY(202),
  },
  { method: 'DELETE', url: () => `/api/v1/accounts/${accountId}`, expect: ADMIN_ONLY(202) },
  { method: 'GET', url: () => '/api/v1/admin/streams', expect: ADMIN_ONLY(200) },
  { method: 'GET', url: () => '/api/v1/admin/dlq/JOB_CREATED', expect: ADMIN_ONLY(200) },
  { method: 'POST', url: () => '/api/v1/admin/dlq/JOB_CREATED/replay', payload: {}, expect: ADMIN_ONLY(200) },
  { method: 'PATCH', url: () => `/api/v1/admin/users/${other.id}`, payload: { role: 'user' }, expect: ADMIN_ONLY(200) },
];

describe('auth matrix', () => {
  for (const route of ROUTES) {
    it(`when every kind of caller calls ${route.method} ${route.url.toString().replace(/^.*=> /, '')}, then each gets its answer`, async () => {
      const got: Partial<Record<Caller, number>> = {};
      const want: Partial<Record<Caller, number>> = { ...route.expect };
      for (const caller of ANONYMOUS) want[caller] = 401;
      for (const caller of Object.keys(want) as Caller[]) {
        const res = await h.app.inject({
          method: route.method,
          url: await route.url(),
          headers: await headers[caller]!(),
          payload: route.payload,
        });
        got[caller] = res.statusCode;
        if (res.statusCode >= 400)
          expect(res.json().error, `${caller}: ${res.body}`).toMatchObject({
            code: expect.any(String),
            message: expect.any(String),
          });
      }
      expect(got).toEqual(want);
    });
  }

  it("when a user lists jobs and assets, then only their own come back; an admin sees every user's", async () => {
    const list = async (who: Record<string, string>, what: string) =>
      (await h.app.inject({ method: 'GET', url: `/api/v1/${what}?limit=100`, headers: who }))
        .json()
        .items.map((i: { user_id: string }) => i.user_id);
    expect(new Set(await list(bearer(other.token), 'jobs'))).not.toContain(owner.id);
    expect(await list(bearer(other.token), 'assets')).toEqual([]);
    expect(new Set(await list(bearer(owner.token), 'jobs'))).toEqual(new Set([owner.id]));
    expect(await list(bearer(owner.token), 'assets')).toEqual([owner.id]);
    expect(new Set(await list(await headers.admin!(), 'jobs'))).toContain(owner.id);
  });

  it('when the public routes are called with any token or none, then none of them answers 401 for it', async () => {
    for (const caller of ['none', 'bad', 'owner'] as Caller[]) {
      const reg = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        headers: await headers[caller]!(),
        payload: { email: 'x' },
      });
      expect(reg.statusCode).toBe(400);
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: await headers[caller]!(),
        payload: { email: 'a@b.co', password: 'wrong one!' },
      });
      expect(login.json().error.code).toBe('INVALID_CREDENTIALS');
    }
  });
});
