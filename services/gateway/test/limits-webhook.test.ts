import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, uniqueName } from '@pixsim/testkit';
import { Redis } from 'ioredis';
import { clientBucket } from '../src/http/rate-limit.js';
import { createKeys } from '@pixsim/contracts';
import { apiKeyAuthenticator, sessionAuthenticator } from '../src/auth/user-authenticators.js';
import { AUTH, bearer, createHarness, signUp, validJob, WEBHOOK_SECRET, type Harness } from './helpers.js';

describe('rate limits (Redis, shared by replicas)', () => {
  let a: Harness;
  let b: Harness;
  let limiter: Redis;
  const keys = createKeys(uniqueName('t'));
  beforeAll(async () => {
    limiter = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const rateLimit = { redis: limiter, keys, ipMax: 8, userMax: 3, windowMs: 60_000 };
    a = await createHarness({ rateLimit });
    // Replica b: the same users and read model (one database in production), the same Redis counters.
    b = await createHarness({
      rateLimit,
      jobs: a.jobs,
      authenticators: [
        sessionAuthenticator({ ...a.identity, tokens: a.tokens, clock: a.clock }),
        apiKeyAuthenticator(a.identity),
      ],
    });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    const left = await limiter.keys(`${keys.prefix}:*`);
    if (left.length) await limiter.del(...left);
    limiter.disconnect();
  });

  it('when a user goes over their limit across two replicas, then 429 with Retry-After and the error shape', async () => {
    const u = await signUp(a.app); // register + login: 2 of the IP's 8
    const call = (h: Harness) => h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(u.token) });
    const codes = [(await call(a)).statusCode, (await call(b)).statusCode, (await call(a)).statusCode];
    expect(codes).toEqual([200, 200, 200]);
    const over = await call(b);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json().error).toMatchObject({ code: 'RATE_LIMITED', message: expect.any(String) });
    const found = await limiter.keys(`${keys.prefix}:svc:gateway:rl:*`);
    expect(found.sort()).toEqual([
      `${keys.prefix}:svc:gateway:rl:ip:127.0.0.1`,
      `${keys.prefix}:svc:gateway:rl:user:${u.id}`,
    ]);
  });

  it('when the IP goes over its limit, then even unauthenticated calls get 429; probes are never limited', async () => {
    let last = 0;
    for (let i = 0; i < 5; i++)
      last = (
        await b.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'x@example.com', password: 'password1' },
        })
      ).statusCode;
    expect(last).toBe(429);
    expect((await a.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    // Admins are exempt from the per-user limit but not from the IP's.
    expect((await a.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH })).statusCode).toBe(429);
  });
});

describe('password attempts (a limit of their own)', () => {
  let h: Harness;
  let limiter: Redis;
  const keys = createKeys(uniqueName('t'));
  beforeAll(async () => {
    limiter = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    h = await createHarness({
      rateLimit: { redis: limiter, keys, ipMax: 1_000, userMax: 1_000, authMax: 3, windowMs: 60_000 },
    });
  });
  afterAll(async () => {
    await h.close();
    const left = await limiter.keys(`${keys.prefix}:*`);
    if (left.length) await limiter.del(...left);
    limiter.disconnect();
  });

  it('when one IP floods login and register, then it gets 429 after a few, while its other calls still pass', async () => {
    const login = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'x@example.com', password: 'password1' },
      });
    const codes = [(await login()).statusCode, (await login()).statusCode, (await login()).statusCode];
    expect(codes).toEqual([401, 401, 401]);
    const over = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'y@example.com', password: 'correct horse battery' },
    });
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(over.json().error.code).toBe('RATE_LIMITED');
    // The same IP's other calls are under the general limit only.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH })).statusCode).toBe(200);
    expect(await limiter.keys(`${keys.prefix}:svc:gateway:rl:auth:*`)).toEqual([
      `${keys.prefix}:svc:gateway:rl:auth:127.0.0.1`,
    ]);
    expect(await limiter.pttl(`${keys.prefix}:svc:gateway:rl:auth:127.0.0.1`)).toBeGreaterThan(0); // it expires with its window
  });
});

describe('password attempts per account, per /64, and with Redis down', () => {
  const keys = createKeys(uniqueName('t'));
  let limiter: Redis;
  beforeAll(() => {
    limiter = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const left = await limiter.keys(`${keys.prefix}:*`);
    if (left.length) await limiter.del(...left);
    limiter.disconnect();
  });
  const login = (h: Harness, email: string, remoteAddress = '127.0.0.1') =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress,
      payload: { email, password: 'password1' },
    });

  it('when one account is tried from many addresses, then it is throttled on its own; other accounts are not', async () => {
    const h = await createHarness({
      rateLimit: { redis: limiter, keys, ipMax: 0, userMax: 0, authMax: 1_000, accountMax: 2, windowMs: 60_000 },
    });
    try {
      const codes = [];
      for (const ip of ['203.0.113.1', '203.0.113.2', '198.51.100.3'])
        codes.push((await login(h, 'Victim@x.example', ip)).statusCode);
      expect(codes).toEqual([401, 401, 429]);
      expect((await login(h, 'victim@X.example', '198.51.100.4')).statusCode).toBe(429); // same account, any case
      expect((await login(h, 'someone-else@x.example', '198.51.100.4')).statusCode).toBe(401);
    } finally {
      await h.close();
    }
  });

  it('when IPv6 clients differ only inside one /64, then they share one bucket', () => {
    expect(clientBucket('2001:db8:1:2:aaaa::1')).toBe(clientBucket('2001:db8:1:2:ffff:1:2:3'));
    expect(clientBucket('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientBucket('2001:db8:1:3::1')).not.toBe(clientBucket('2001:db8:1:2::1'));
    expect(clientBucket('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientBucket('192.0.2.7')).toBe('192.0.2.7');
  });

  it('when Redis is down, then logins fail closed: 503 with Retry-After, and no password is tried', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    const h = await createHarness({
      rateLimit: { redis: dead, keys, ipMax: 0, userMax: 0, authMax: 5, accountMax: 5, windowMs: 60_000 },
    });
    try {
      const res = await login(h, 'x@example.com');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().error.code).toBe('DEPENDENCY_DOWN');
    } finally {
      await h.close();
      dead.disconnect();
    }
  });
});

describe('body limits and content types', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ bodyLimit: 2048 });
  });
  afterAll(async () => h.close());

  it('when a body is too large, or not JSON, on any POST route, then 413 / 415 with the error shape', async () => {
    for (const url of ['/api/v1/jobs', '/api/v1/auth/register', '/api/v1/api-keys']) {
      const big = await h.app.inject({
        method: 'POST',
        url,
        headers: AUTH,
        payload: validJob({ description: 'x'.repeat(4000) }),
      });
      expect(big.statusCode, url).toBe(413);
      expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      const form = await h.app.inject({
        method: 'POST',
        url,
        headers: { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'a=1',
      });
      expect(form.statusCode, url).toBe(415);
      expect(form.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });
});

describe('POST /webhooks/pixverse', () => {
  let h: Harness;
  const pokes: string[] = [];
  beforeAll(async () => {
    const nonces = new Map<string, true>();
    h = await createHarness({
      webhook: {
        secret: WEBHOOK_SECRET,
        nonces: { claim: async (n) => !nonces.has(n) && Boolean(nonces.set(n, true)) },
        poke: async (p) => void pokes.push(`${p.providerId}:${p.providerJobId}:${p.status}`),
      },
    });
  });
  afterAll(async () => h.close());

  const signed = (body: string, opts: { ts?: number; nonce?: string; secret?: string } = {}) => {
    const ts = String(opts.ts ?? Math.floor(h.clock().getTime() / 1000));
    const nonce = opts.nonce ?? randomUUID();
    const sig = createHmac('sha256', opts.secret ?? WEBHOOK_SECRET)
      .update(`${ts}\n${nonce}\n${encodeURIComponent(body)}`)
      .digest('base64');
    return {
      'content-type': 'application/json',
      'webhook-timestamp': ts,
      'webhook-nonce': nonce,
      'webhook-signature': sig,
    };
  };
  const send = (body: string, headers: Record<string, string>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/webhooks/pixverse', headers, payload: body });

  it('when a correctly signed webhook arrives, then 200 text ok and the generation is poked', async () => {
    const body = JSON.stringify({ video_id: 123456, status: 1, url: 'https://cdn.example.com/v.mp4' });
    const res = await send(body, signed(body));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toBe('ok');
    expect(pokes).toContain('pixverse:123456:1');
  });

  it('when the signature, secret, body or timestamp is wrong, then 401; a replayed nonce is 409', async () => {
    const body = JSON.stringify({ video_id: 1, status: 5 });
    const now = Math.floor(h.clock().getTime() / 1000);
    const cases = [
      signed(body, { secret: 'another-secret-0123456' }),
      { ...signed(body), 'webhook-signature': 'AAAA' },
      signed(body, { ts: now - 301 }),
      signed(body, { ts: now + 301 }),
      { 'content-type': 'application/json' },
    ];
    for (const headers of cases) expect((await send(body, headers)).statusCode).toBe(401);
    expect((await send(body.replace('5', '1'), signed(body))).statusCode).toBe(401);
    const headers = signed(body);
    expect((await send(body, headers)).statusCode).toBe(200);
    const replay = await send(body, headers);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error.code).toBe('WEBHOOK_REPLAY');
  });

  it('when the redis nonce store sees a nonce twice, then the second claim is refused (SET NX EX)', async () => {
    const { redisNonceStore } = await import('../src/webhooks/webhook-ports.js');
    const store = redisNonceStore(h.redis, h.keys);
    expect(await store.claim('n-1')).toBe(true);
    expect(await store.claim('n-1')).toBe(false);
    expect(await h.redis.ttl(`${h.keys.prefix}:svc:gateway:webhook-nonce:n-1`)).toBeGreaterThan(590);
  });

  it('when no secret is configured, then the route answers 404', async () => {
    const off = await createHarness({
      webhook: { secret: undefined, nonces: { claim: async () => true }, poke: async () => {} },
    });
    try {
      const body = '{"video_id":1}';
      expect(
        (
          await off.app.inject({
            method: 'POST',
            url: '/api/v1/webhooks/pixverse',
            headers: signed(body),
            payload: body,
          })
        ).statusCode,
      ).toBe(404);
    } finally {
      await off.close();
    }
  });
});
