import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokens } from '../src/identity/access-tokens.js';
import { createPasswordHasher } from '../src/identity/password.js';
import { AUTH, bearer, createHarness, identityServiceOf, JWT_SECRET, signUp, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const me = (headers: Record<string, string>) => h.app.inject({ method: 'GET', url: '/api/v1/users/me', headers });
const post = (url: string, payload: object) => h.app.inject({ method: 'POST', url, payload });

describe('passwords (no I/O)', () => {
  it('when a password is hashed, then it verifies, a wrong one does not, and two hashes differ (salted)', async () => {
    const hasher = createPasswordHasher({ N: 1024, r: 8, p: 1 });
    const a = await hasher.hash('correct horse');
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.toContain('correct horse');
    expect(await hasher.verify('correct horse', a)).toBe(true);
    expect(await hasher.verify('correct horsE', a)).toBe(false);
    expect(await hasher.hash('correct horse')).not.toBe(a);
    expect(await hasher.verify('x', 'not-a-hash')).toBe(false);
  });
});

describe('register, login, logout, me', () => {
  it('when a user registers and logs in, then /users/me answers with them and the token is a bearer JWT', async () => {
    const reg = await post('/api/v1/auth/register', { email: 'Ann@Example.com', password: 'long enough pw' });
    expect(reg.statusCode).toBe(201);
    expect(reg.json()).toEqual({
      id: expect.any(String),
      email: 'Ann@Example.com',
      role: 'user',
      created_at: expect.any(String),
      disabled: false,
    });
    expect(reg.body).not.toContain('long enough pw');

    const login = await post('/api/v1/auth/login', { email: 'ann@example.com', password: 'long enough pw' });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect((await me(bearer(login.json().access_token))).json()).toMatchObject({
      id: reg.json().id,
      email: 'Ann@Example.com',
      role: 'user',
    });
  });

  it('when the email is taken in another case, then 409 EMAIL_TAKEN', async () => {
    const res = await post('/api/v1/auth/register', { email: 'ANN@example.com', password: 'another password' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('EMAIL_TAKEN');
  });

  it('when the password is wrong or the user unknown, then the same 401 INVALID_CREDENTIALS', async () => {
    for (const payload of [
      { email: 'ann@example.com', password: 'wrong password' },
      { email: 'nobody@example.com', password: 'long enough pw' },
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'wrong email or password' } });
    }
  });

  it('when the body is bad (short password, bad email, extra field), then 400 VALIDATION_FAILED', async () => {
    for (const payload of [
      { email: 'a@example.com', password: 'short' },
      { email: 'nope', password: 'long enough pw' },
      { email: 'b@example.com', password: 'long enough pw', role: 'admin' },
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('when a user logs out, then that token answers 401 at once and another session stays valid', async () => {
    const u = await signUp(h.app);
    const second = (await post('/api/v1/auth/login', { email: u.email, password: u.password })).json().access_token;
    expect(
      (await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(u.token) })).statusCode,
    ).toBe(204);
    expect((await me(bearer(u.token))).statusCode).toBe(401);
    expect((await me(bearer(second))).statusCode).toBe(200);
  });

  it('when the token has expired, then 401', async () => {
    const u = await signUp(h.app);
    h.clock.advance(3601_000);
    try {
      expect((await me(bearer(u.token))).statusCode).toBe(401);
    } finally {
      h.clock.advance(-3601_000);
    }
  });

  it('when a token is signed with another secret or names a made-up session, then 401', async () => {
    const u = await signUp(h.app);
    const forged = await createAccessTokens({ secret: 'x'.repeat(40), ttlS: 3600, clock: h.clock }).sign({
      userId: u.id,
      sessionId: 'a'.repeat(32),
    });
    const unknownSession = await createAccessTokens({ secret: JWT_SECRET, ttlS: 3600, clock: h.clock }).sign({
      userId: u.id,
      sessionId: 'b'.repeat(32),
    });
    for (const token of [forged, unknownSession]) expect((await me(bearer(token))).statusCode).toBe(401);
  });

  it('when the admin token calls /users/me, then it is the bootstrap admin; logout with it is 400 NOT_A_SESSION', async () => {
    expect((await me(AUTH)).json()).toEqual({
      id: 'admin',
      email: null,
      role: 'admin',
      created_at: null,
      disabled: false,
    });
    const out = await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: AUTH });
    expect(out.statusCode).toBe(400);
    expect(out.json().error.code).toBe('NOT_A_SESSION');
  });

  it('when registration is disabled, then register answers 403', async () => {
    const off = await createHarness();
    try {
      const svc = identityServiceOf(off, { registration: 'closed' });
      await expect(svc.register({ email: 'z@example.com', password: 'long enough pw' })).rejects.toMatchObject({
        status: 403,
      });
    } finally {
      await off.close();
    }
  });
});

describe('API keys', () => {
  it('when a key is created, then it is shown once, works as a bearer token, is listed without the key, and stored hashed', async () => {
    const u = await signUp(h.app);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(u.token),
      payload: { name: 'ci' },
    });
    expect(created.statusCode).toBe(201);
    const { id, key, name } = created.json();
    expect(name).toBe('ci');
    expect(key).toMatch(/^psk_[\w-]{40,}$/);
    expect((await me(bearer(key))).json()).toMatchObject({ id: u.id, role: 'user' });

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(u.token) });
    expect(list.json().items).toEqual([{ id, name: 'ci', prefix: key.slice(0, 8), created_at: expect.any(String) }]);
    expect(list.body).not.toContain(key);
    const stored = await h.conn.collection('api_keys').findOne({ _id: id as never });
    expect(JSON.stringify(stored)).not.toContain(key);

    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(u.token) })).statusCode,
    ).toBe(204);
    expect((await me(bearer(key))).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(u.token) })).statusCode,
    ).toBe(404);
  });

  it('when another user deletes my key, then 404 and the key still works', async () => {
    const [a, b] = [await signUp(h.app), await signUp(h.app)];
    const { id, key } = (
      await h.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(a.token), payload: { name: 'k' } })
    ).json();
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(b.token) })).statusCode,
    ).toBe(404);
    expect((await me(bearer(key))).statusCode).toBe(200);
  });

  it('when passwords, tokens or keys pass through, then no log line contains them', async () => {
    const u = await signUp(h.app, undefined, 'a very secret password');
    const { key } = (
      await h.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(u.token), payload: { name: 'k' } })
    ).json();
    await me(bearer(key));
    await h.app.inject({ method: 'GET', url: '/api/v1/nope', headers: bearer(u.token) });
    const all = h.logLines.join('\n');
    for (const secret of ['a very secret password', u.token, key]) expect(all).not.toContain(secret);
  });
});
