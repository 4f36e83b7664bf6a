import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createPublisher } from '@pixsim/bus';
import { createSafePublish } from '../src/safe-publish.js';
import { AUTH, createHarness, validJob, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const post = (payload: unknown, app = h.app) =>
  app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: payload as object });

describe('POST /api/v1/jobs', () => {
  it('when the body is valid, then 202 PENDING with the job shape and one JOB_REQUESTED entry carrying its data', async () => {
    const res = await post(validJob({ name: 'surf', priority: 7 }));
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(job).toMatchObject({
      user_id: 'admin',
      operation_type: 'text_to_video',
      provider_id: 'pixverse',
      priority: 7,
      name: 'surf',
      description: null,
      workspace_id: null,
      status: 'PENDING',
      status_detail: null,
      error_code: null,
      error_message: null,
      retry_count: 0,
      provider_job_id: null,
      asset_id: null,
      started_at: null,
      completed_at: null,
      params: validJob().params,
    });
    expect(job.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(Date.parse(job.created_at)).not.toBeNaN();

    const entries = (await h.entries('JOB_REQUESTED')).filter((e) => e.fields.id === `${job.id}:JOB_REQUESTED`);
    expect(entries).toHaveLength(1);
    const data = JSON.parse(entries[0]!.fields.data!);
    expect(data).toEqual({
      job_id: job.id,
      user_id: 'admin',
      operation_type: 'text_to_video',
      provider_id: 'pixverse',
      params: validJob().params,
      priority: 7,
      name: 'surf',
      description: null,
      workspace_id: null,
      scheduled_at: null,
      requested_at: job.created_at,
    });
  });

  it('when optional fields are left out, then provider_id is pixverse and priority 5', async () => {
    const res = await post({ operation_type: 'text_to_video', params: { prompt: 'hello' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ provider_id: 'pixverse', priority: 5, name: null });
  });

  it('when fields are missing or mistyped, then 400 VALIDATION_FAILED with details naming each field', async () => {
    const res = await post({ operation_type: 'dance', params: { duration: 'long' }, priority: 11 });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    const fields = error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['operation_type', 'params.duration', 'priority']));
    for (const f of ['operation_type', 'params.duration', 'priority']) expect(error.message).toContain(f);
  });

  it('when text_to_video has no prompt, then 400 naming params.prompt', async () => {
    const res = await post({ operation_type: 'text_to_video', params: { model: 'v5' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'params.prompt' }] });
  });

  it('when image_url is not https or points at a private address, then 400 naming params.image_url', async () => {
    for (const image_url of [
      'http://example.com/a.png',
      'https://127.0.0.1/a.png',
      'https://localhost/a.png',
      'https://10.1.2.3/a.png',
      'https://[::1]/a.png',
    ]) {
      const res = await post({ operation_type: 'image_to_video', params: { prompt: 'p', image_url } });
      expect(res.statusCode, image_url).toBe(400);
      expect(res.json().error.details).toEqual([{ field: 'params.image_url', message: expect.any(String) }]);
    }
    expect(
      (
        await post({
          operation_type: 'image_to_video',
          params: { prompt: 'p', image_url: 'https://cdn.example.com/a.png' },
        })
      ).statusCode,
    ).toBe(202);
  });

  it('when params break the provider limits, then 400 INVALID_PARAMS and nothing reaches the pipeline', async () => {
    const before = (await h.entries('JOB_REQUESTED')).length;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ prompt: 'p', model: 'v9' }, 'params.model'],
      [{ prompt: 'x'.repeat(3000) }, 'params.prompt'],
      [{ prompt: 'p', model: 'v5', quality: '1080p', duration: 8 }, 'params.duration'],
      [{ prompt: 'p', aspect_ratio: '2:1' }, 'params.aspect_ratio'],
    ];
    for (const [params, field] of cases) {
      const res = await post({ operation_type: 'text_to_video', params });
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error.code).toBe('INVALID_PARAMS');
      expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const unknown = await post(validJob({ provider_id: 'runway' }));
    expect(unknown.json().error).toMatchObject({ code: 'INVALID_PARAMS', details: [{ field: 'provider_id' }] });
    expect((await h.entries('JOB_REQUESTED')).length).toBe(before);
  });

  it('when a param name is not a plain lower-case name ($ref, $id, a dot, a NUL, upper case), then 400 naming params.<name> and nothing is published', async () => {
    const before = (await h.entries('JOB_REQUESTED')).length;
    for (const name of ['$ref', '$id', 'a.b', 'nul\u0000x', 'Prompt2', '_x', 'x'.repeat(65)]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: `{"operation_type":"text_to_video","params":{${JSON.stringify(name)}:"x","prompt":"a cat"}}`,
      });
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error.code, name).toBe('VALIDATION_FAILED');
      expect(
        res.json().error.details.map((d: { field: string }) => d.field),
        name,
      ).toContain(`params.${name}`);
    }
    expect((await h.entries('JOB_REQUESTED')).length).toBe(before);
    // Names that fit are still free: the provider gets them as given.
    expect(
      (await post({ operation_type: 'text_to_video', params: { prompt: 'a cat', camera_move_2: 'pan' } })).statusCode,
    ).toBe(202);
  });

  it("when the body is not JSON, too large or of another type, then fastify's 4xx pass through with the error shape", async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: '{"operation_type":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('MALFORMED_BODY');
    const text = await h.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { ...AUTH, 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await post(validJob({ description: 'x'.repeat(1_100_000) }));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // A job's body is held to 64 KiB, well under the server's 1 MiB: it is copied into every stream entry it passes.
    const padded = await post(
      validJob({
        params: {
          ...validJob().params,
          ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`x${i}`, 'y'.repeat(2_000)])),
        },
        description: 'd'.repeat(40_000),
      }),
    );
    expect(padded.statusCode).toBe(413);
    const many = await post(
      validJob({
        params: {
          ...validJob().params,
          ...Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`extra_${i}`, 1])),
        },
      }),
    );
    expect(many.statusCode).toBe(400);
    expect(many.json().error.details).toEqual([
      { field: 'params', message: expect.stringMatching(/^at most 16 params beyond the known ones, got 17/) },
    ]);
    const none = await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('when Redis refuses the publish, then 503 DEPENDENCY_DOWN with Retry-After and no job is recorded', async () => {
    const dead = new Redis('redis://127.0.0.1:6379', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    const publish = createSafePublish(createPublisher({ redis: dead, keys: h.keys }), 500);
    const broken = await createHarness({ publish });
    try {
      const res = await post(validJob(), broken.app);
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().error).toEqual({ code: 'DEPENDENCY_DOWN', message: expect.stringContaining('redis') });
      const list = await broken.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH });
      expect(list.json().items).toEqual([]);
      expect(await broken.conn.collection('jobs').countDocuments()).toBe(0);
    } finally {
      dead.disconnect();
      await broken.close();
    }
  });

  it('when the read-model write fails after the publish, then still 202: JOB_CREATED will fill the view in', async () => {
    const broken = await createHarness();
    broken.jobs.apply = async () => {
      throw new Error('mongo write failed');
    };
    try {
      const res = await post(validJob(), broken.app);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ status: 'PENDING', user_id: 'admin' });
      expect(await broken.entries('JOB_REQUESTED')).toHaveLength(1);
    } finally {
      await broken.close();
    }
  });

  it('when something unexpected throws, then 500 INTERNAL without internals, logged with the request id', async () => {
    const broken = await createHarness();
    broken.jobs.list = async () => {
      throw new Error('secret internals: db at 10.0.0.5 password hunter2');
    };
    try {
      const res = await broken.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: AUTH });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: { code: 'INTERNAL', message: expect.stringContaining(res.headers['x-request-id'] as string) },
      });
      expect(res.body).not.toContain('hunter2');
      const logged = broken.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
      expect(logged).toMatchObject({
        reqId: res.headers['x-request-id'],
        err: { message: expect.stringContaining('hunter2') },
      });
    } finally {
      await broken.close();
    }
  });
});
