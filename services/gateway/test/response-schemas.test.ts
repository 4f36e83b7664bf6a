import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { z } from 'zod';
import { moveToDeadLetter } from '@pixsim/bus';
import {
  accountResponse,
  apiKeyListResponse,
  assetResponse,
  deadLetterPageResponse,
  jobResponse,
  newApiKeyResponse,
  pageOf,
  replayResponse,
  streamsResponse,
  tokenResponse,
  userResponse,
  adminUserResponse,
} from '../src/http/response-schemas.js';
import { jobHistory } from './events.js';
import { AUTH, bearer, createHarness, validJob, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

/** The answer has the documented status and exactly the documented shape (strict: no field more or less). */
function conforms<T extends z.ZodType>(res: LightMyRequestResponse, status: number, schema: T): z.infer<T> {
  expect(res.statusCode, res.body).toBe(status);
  const parsed = schema.safeParse(res.json());
  expect(parsed.success ? [] : parsed.error.issues, `${res.body.slice(0, 300)}`).toEqual([]);
  return parsed.data as z.infer<T>;
}

const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = AUTH) =>
  h.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('documented responses', () => {
  it('when jobs and assets are created, read, listed and cancelled, then each answer is exactly its documented shape', async () => {
    const posted = conforms(
      await call('POST', '/api/v1/jobs', validJob(), { ...AUTH, 'idempotency-key': 'k-1' }),
      202,
      jobResponse,
    );
    conforms(await call('POST', '/api/v1/jobs', validJob(), { ...AUTH, 'idempotency-key': 'k-1' }), 200, jobResponse);
    conforms(await call('GET', `/api/v1/jobs/${posted.id}`), 200, jobResponse);
    conforms(await call('DELETE', `/api/v1/jobs/${posted.id}`), 202, jobResponse);

    // A finished job with its asset, folded from the events the services publish.
    const history = jobHistory('01J0000000000000000000DONE');
    for (const event of history.success) await h.jobs.apply(history.created.job_id, event);
    await h.assets.insert(history.asset);
    const done = conforms(await call('GET', `/api/v1/jobs/${history.created.job_id}`), 200, jobResponse);
    expect(done).toMatchObject({ status: 'COMPLETED', asset_id: history.asset.asset_id });
    expect(conforms(await call('GET', '/api/v1/jobs?limit=1'), 200, pageOf(jobResponse)).next_cursor).not.toBeNull();
    conforms(await call('GET', `/api/v1/assets/${history.asset.asset_id}`), 200, assetResponse);
    expect(conforms(await call('GET', '/api/v1/assets'), 200, pageOf(assetResponse)).items).toHaveLength(1);
  });

  it('when accounts are added, read, listed and changed, then each answer is exactly its documented shape', async () => {
    const created = conforms(
      await call('POST', '/api/v1/accounts', { provider_id: 'pixverse', api_key: 'sk-shape', email: 'a@example.com' }),
      201,
      accountResponse,
    );
    conforms(await call('GET', `/api/v1/accounts/${created.id}`), 200, accountResponse);
    conforms(await call('GET', '/api/v1/accounts'), 200, pageOf(accountResponse));
    conforms(await call('PATCH', `/api/v1/accounts/${created.id}`, { priority: 3 }), 202, accountResponse);
    conforms(await call('POST', `/api/v1/accounts/${created.id}/credits`, { credits: 10 }), 202, accountResponse);
    conforms(await call('DELETE', `/api/v1/accounts/${created.id}`), 202, accountResponse);
  });

  it('when users log in, read themselves and make API keys, then each answer is exactly its documented shape', async () => {
    const user = conforms(
      await call('POST', '/api/v1/auth/register', { email: 'shape@example.com', password: 'long enough pw' }, {}),
      201,
      userResponse,
    );
    const { access_token } = conforms(
      await call('POST', '/api/v1/auth/login', { email: 'shape@example.com', password: 'long enough pw' }, {}),
      200,
      tokenResponse,
    );
    conforms(await call('GET', '/api/v1/users/me', undefined, bearer(access_token)), 200, userResponse);
    conforms(await call('GET', '/api/v1/users/me'), 200, userResponse); // the admin token: no email, no created_at
    conforms(await call('POST', '/api/v1/api-keys', { name: 'ci' }, bearer(access_token)), 201, newApiKeyResponse);
    expect(
      conforms(await call('GET', '/api/v1/api-keys', undefined, bearer(access_token)), 200, apiKeyListResponse).items,
    ).toHaveLength(1);
    conforms(await call('PATCH', `/api/v1/admin/users/${user.id}`, { role: 'admin' }), 200, adminUserResponse);
  });

  it('when streams and dead letters are inspected and replayed, then each answer is exactly its documented shape', async () => {
    const stream = h.keys.stream('JOB_FAILED');
    await h.redis.xgroup('CREATE', stream, 'gateway', '$', 'MKSTREAM');
    const fields = ['id', 'evt-shape', 'type', 'JOB_FAILED', 'v', '1', 'data', '{}'];
    const sourceId = (await h.redis.xadd(stream, '*', ...fields))!;
    await moveToDeadLetter(h.redis, h.keys, 'JOB_FAILED', fields, {
      reason: 'bad',
      code: 'SCHEMA_INVALID',
      group: 'gateway',
      consumer: 'c',
      sourceId,
      deliveries: 1,
    });
    conforms(await call('GET', '/api/v1/admin/streams'), 200, streamsResponse);
    expect(conforms(await call('GET', '/api/v1/admin/dlq/JOB_FAILED'), 200, deadLetterPageResponse).items).toHaveLength(
      1,
    );
    expect(conforms(await call('POST', '/api/v1/admin/dlq/JOB_FAILED/replay', {}), 200, replayResponse).replayed).toBe(
      1,
    );
  });

  it('when the OpenAPI document is read, then it carries these shapes, every success status of a route included', async () => {
    const doc = (await call('GET', '/docs/json')).json();
    const body = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status].content['application/json'].schema;
    expect(body('/api/v1/jobs/{id}', 'get', '200').properties.status.enum).toEqual([
      'PENDING',
      'PROCESSING',
      'COMPLETED',
      'FAILED',
      'CANCELLED',
    ]);
    expect(body('/api/v1/jobs', 'post', '202').required).toContain('asset_id');
    expect(body('/api/v1/jobs', 'post', '200').properties.id).toBeDefined();
    expect(body('/api/v1/accounts', 'get', '200').properties.items.items.properties).not.toHaveProperty('api_key');
    expect(Object.keys(doc.paths['/api/v1/auth/logout'].post.responses)).toContain('204');
  });
});
