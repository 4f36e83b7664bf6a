import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { AUTH, createHarness, signUp, validJob, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

/**
 * Generated and mutated requests against every route: the app never answers
 * 5xx, every 4xx has the error shape, and it keeps answering afterwards.
 */
let h: Harness;
let ids: string[];
let tokens: string[];

beforeAll(async () => {
  h = await createHarness();
  const user = await signUp(h.app);
  const done = (await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() })).json()
    .id as string;
  await h.jobs.apply(done, { type: 'JOB_FAILED', data: jobHistory(done).failed });
  // Only ids whose event stream ends at once: a live stream would (rightly) stay open.
  ids = [done, '01J00000000000000000000000', 'x', '%00', '..', 'a'.repeat(300), '%E2%82%AC', 'JOB_CREATED'];
  tokens = [
    `Bearer ${(AUTH.authorization as string).slice(7)}`,
    `Bearer ${user.token}`,
    'Bearer psk_nope',
    'Basic abc',
    '',
    'Bearer a.b.c',
  ];
}, 60_000);
afterAll(async () => h.close());

const json = fc.jsonValue({ maxDepth: 3 });
const mutatedJob = fc
  .record({
    field: fc.constantFrom(
      'operation_type',
      'params',
      'priority',
      'name',
      'scheduled_at',
      'provider_id',
      'workspace_id',
    ),
    value: json,
  })
  .map(({ field, value }) => ({ ...validJob(), [field]: value }));
const mutatedParams = fc
  .dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 4 })
  .map((extra) => validJob({ params: { ...validJob().params, ...extra } }));
const body = fc.oneof(
  json,
  mutatedJob,
  mutatedParams,
  fc.record({ email: fc.string(), password: fc.string() }),
  fc.record({ name: json }),
);

const request = fc.record({
  route: fc.constantFrom(
    'POST /api/v1/auth/register',
    'POST /api/v1/auth/login',
    'POST /api/v1/auth/logout',
    'GET /api/v1/users/me',
    'POST /api/v1/api-keys',
    'GET /api/v1/api-keys',
    'DELETE /api/v1/api-keys/:id',
    'PATCH /api/v1/admin/users/:id',
    'POST /api/v1/jobs',
    'GET /api/v1/jobs',
    'GET /api/v1/jobs/:id',
    'DELETE /api/v1/jobs/:id',
    'GET /api/v1/jobs/:id/events',
    'GET /api/v1/jobs/:id/callback',
    'POST /api/v1/jobs/:id/callback/resend',
    'GET /api/v1/assets',
    'GET /api/v1/assets/:id',
    'POST /api/v1/accounts',
    'GET /api/v1/accounts',
    'GET /api/v1/accounts/:id',
    'PATCH /api/v1/accounts/:id',
    'DELETE /api/v1/accounts/:id',
    'POST /api/v1/accounts/:id/credits',
    'GET /api/v1/admin/streams',
    'GET /api/v1/admin/dlq/:id',
    'POST /api/v1/admin/dlq/:id/replay',
    'POST /api/v1/webhooks/pixverse',
    'GET /api/v1/nowhere',
    'PUT /api/v1/jobs',
  ),
  id: fc.oneof(
    fc.constantFrom(...Array.from({ length: 8 }, (_, i) => i)).map((i) => `@${i}`),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  ),
  query: fc.dictionary(
    fc.constantFrom('limit', 'cursor', 'status', 'operation_type', 'provider_id', 'x'),
    fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
  ),
  token: fc.nat(5),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    undefined,
  ),
  body: fc.oneof(
    body.map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 200 }),
    fc.constant(undefined),
  ),
  idempotencyKey: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
});

function checkAnswer(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.json(), what).toEqual({
      error: expect.objectContaining({ code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) }),
    });
  }
}

describe('fuzz', () => {
  it('when thousands of generated and mutated requests hit every route, then no 5xx and every 4xx has the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [method, path] = r.route.split(' ') as [string, string];
        const id = r.id.startsWith('@') ? encodeURIComponent(ids[Number(r.id.slice(1))]!) : r.id;
        const url = `${path.replace(':id', id || 'x')}?${new URLSearchParams(r.query).toString()}`;
        const headers: Record<string, string> = {};
        if (tokens[r.token]) headers.authorization = tokens[r.token]!;
        if (r.contentType && r.body !== undefined) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
        const res = await h.app.inject({ method: method as 'GET', url, headers, payload: r.body });
        checkAnswer(res, `${method} ${url} ${r.body?.slice(0, 200)}`);
      }),
      { numRuns: 2500, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000) },
    );
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH })).statusCode).toBe(200);
  }, 300_000);
});
