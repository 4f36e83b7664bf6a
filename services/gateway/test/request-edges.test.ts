import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH, bearer, createHarness, signUp, validJob, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const JSON_TYPE = { 'content-type': 'application/json' } as const;

describe('request edges', () => {
  it('when a strict body carries an unknown key, then 400 naming that key as the field', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'x@example.com', password: 'correct horse battery', extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'extra: unknown field',
      details: [{ field: 'extra', message: 'unknown field' }],
    });
  });

  it('when a route that takes no body, or an optional one, gets an empty JSON body, then it answers as without the header', async () => {
    const { id } = (
      await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() })
    ).json();
    const cancel = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/jobs/${id}`,
      headers: { ...AUTH, ...JSON_TYPE },
      payload: '',
    });
    expect(cancel.statusCode, cancel.body).toBe(202);
    const account = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/accounts/acc-none',
      headers: { ...AUTH, ...JSON_TYPE },
      payload: '',
    });
    expect(account.statusCode, account.body).toBe(404);
    expect(account.json().error.code).toBe('NOT_FOUND');
    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/dlq/JOB_CREATED/replay',
      headers: { ...AUTH, ...JSON_TYPE },
      payload: '',
    });
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json()).toEqual({ type: 'JOB_CREATED', replayed: 0 });
    const user = await signUp(h.app);
    const logout = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { ...bearer(user.token), ...JSON_TYPE },
      payload: '',
    });
    expect(logout.statusCode, logout.body).toBe(204);
  });

  it('when a route that needs a body gets an empty JSON body, then 400 naming the missing body', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: JSON_TYPE, payload: '' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: '(body)', message: expect.any(String) }],
    });
  });

  it('when a body carries __proto__ or constructor.prototype, then 400 MALFORMED_BODY saying why, not that the JSON is invalid', async () => {
    for (const payload of [
      '{"email":"a@example.com","__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/register', headers: JSON_TYPE, payload });
      expect(res.statusCode, payload).toBe(400);
      expect(res.json().error.code).toBe('MALFORMED_BODY');
      expect(res.json().error.message).toMatch(/__proto__ or constructor\.prototype/);
    }
    const broken = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: JSON_TYPE,
      payload: '{"email":',
    });
    expect(broken.json().error).toMatchObject({
      code: 'MALFORMED_BODY',
      message: expect.stringContaining('not valid JSON'),
    });
  });
});

describe('client errors on the socket', () => {
  let port: number;
  beforeAll(async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (h.app.server.address() as AddressInfo).port;
  });

  /** Writes raw bytes and reads the answer until the server closes the connection. */
  const raw = (request: string) =>
    new Promise<{ status: number; headers: Record<string, string>; body: string; bodyBytes: number }>(
      (resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (c) => chunks.push(c));
        socket.on('error', reject);
        socket.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const [head = '', body = ''] = text.split('\r\n\r\n', 2) as [string, string];
          const [statusLine = '', ...lines] = head.split('\r\n');
          const headers = Object.fromEntries(
            lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
          );
          resolve({ status: Number(statusLine.split(' ')[1]), headers, body, bodyBytes: Buffer.byteLength(body) });
        });
        socket.end(request);
      },
    );

  const expectShaped = (res: Awaited<ReturnType<typeof raw>>, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.connection).toBe('close');
    expect(Number(res.headers['content-length'])).toBe(res.bodyBytes);
    expect(JSON.parse(res.body)).toEqual({ error: { code, message: expect.any(String) } });
  };

  it('when the headers are too large, then 431 HEADERS_TOO_LARGE with the error shape', async () => {
    const res = await raw(
      `GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectShaped(res, 431, 'HEADERS_TOO_LARGE');
  });

  it('when a header line is malformed or Content-Length is not a number, then 400 MALFORMED_REQUEST with the error shape', async () => {
    expectShaped(
      await raw('GET /api/v1/jobs HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n'),
      400,
      'MALFORMED_REQUEST',
    );
    expectShaped(
      await raw(
        'POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}',
      ),
      400,
      'MALFORMED_REQUEST',
    );
  });
});
