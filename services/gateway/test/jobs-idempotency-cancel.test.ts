import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyDownError } from '../src/http/errors.js';
import { AUTH, bearer, createHarness, signUp, validJob, type Harness } from './helpers.js';
import { jobHistory } from './events.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const post = (payload: object, headers: Record<string, string> = AUTH, app = h.app) =>
  app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload });

describe('Idempotency-Key on POST /jobs', () => {
  it('when the same key and body come again, then the same job with 200, and one JOB_REQUESTED', async () => {
    const first = await post(validJob(), { ...AUTH, 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(202);
    // Same request with defaults spelt out and keys in another order: the same body.
    const again = await post(
      { priority: 5, ...validJob(), provider_id: 'pixverse' },
      { ...AUTH, 'idempotency-key': 'k-1' },
    );
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    expect(
      (await h.entries('JOB_REQUESTED')).filter((e) => e.fields.id === `${first.json().id}:JOB_REQUESTED`),
    ).toHaveLength(1);
  });

  it('when the same key comes with another body, then 409 IDEMPOTENCY_CONFLICT', async () => {
    await post(validJob(), { ...AUTH, 'idempotency-key': 'k-2' });
    const res = await post(validJob({ priority: 9 }), { ...AUTH, 'idempotency-key': 'k-2' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('when two users use the same key, then each gets their own job', async () => {
    const [a, b] = [await signUp(h.app), await signUp(h.app)];
    const ja = await post(validJob(), { ...bearer(a.token), 'idempotency-key': 'shared' });
    const jb = await post(validJob(), { ...bearer(b.token), 'idempotency-key': 'shared' });
    expect([ja.statusCode, jb.statusCode]).toEqual([202, 202]);
    expect(ja.json().id).not.toBe(jb.json().id);
  });

  it('when ten requests race with one key, then one job: one 202, nine 200, one stream entry', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(validJob({ name: 'race' }), { ...AUTH, 'idempotency-key': 'race-1' })),
    );
    const ids = new Set(results.map((r) => r.json().id));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    expect(
      (await h.entries('JOB_REQUESTED')).filter((e) => e.fields.id === `${[...ids][0]}:JOB_REQUESTED`),
    ).toHaveLength(1);
  });

  it('when the first publish failed, then a retry with the key re-sends the same command and answers 200', async () => {
    let fail = true;
    const sent: string[] = [];
    const broken = await createHarness({
      publish: async (input) => {
        if (fail) throw new DependencyDownError('redis');
        sent.push(input.id);
      },
    });
    try {
      expect((await post(validJob(), { ...AUTH, 'idempotency-key': 'retry-1' }, broken.app)).statusCode).toBe(503);
      expect(await broken.conn.collection('jobs').countDocuments()).toBe(0);
      fail = false;
      const r2 = await post(validJob(), { ...AUTH, 'idempotency-key': 'retry-1' }, broken.app);
      expect(r2.statusCode).toBe(200);
      expect(r2.json().status).toBe('PENDING');
      expect(sent).toEqual([`${r2.json().id}:JOB_REQUESTED`]);
      expect((await post(validJob(), { ...AUTH, 'idempotency-key': 'retry-1' }, broken.app)).json().id).toBe(
        r2.json().id,
      );
      expect(sent).toHaveLength(1); // now known to the read model: nothing more to send
    } finally {
      await broken.close();
    }
  });

  it('when the key is malformed, then 400 naming Idempotency-Key', async () => {
    const res = await post(validJob(), { ...AUTH, 'idempotency-key': 'x'.repeat(300) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
  });
});

describe('DELETE /jobs/{id}', () => {
  it('when a waiting job is cancelled, then 202 with the job and one JOB_CANCEL_REQUESTED; a repeat sends no second one', async () => {
    const job = (await post(validJob())).json();
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/jobs/${job.id}`, headers: AUTH });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ id: job.id, status: 'PENDING' });
    await h.app.inject({ method: 'DELETE', url: `/api/v1/jobs/${job.id}`, headers: AUTH });
    const entries = (await h.entries('JOB_CANCEL_REQUESTED')).filter(
      (e) => e.fields.id === `${job.id}:JOB_CANCEL_REQUESTED`,
    );
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.fields.data!)).toMatchObject({ job_id: job.id, user_id: 'admin' });
  });

  it('when the pipeline answers with CANCELLED_BY_USER, then the job reads CANCELLED and a second DELETE is 409 JOB_TERMINAL', async () => {
    const job = (await post(validJob())).json();
    await h.jobs.apply(job.id, {
      type: 'JOB_FAILED',
      data: {
        ...jobHistory(job.id).failed,
        stage: 'cancel',
        error_code: 'CANCELLED_BY_USER',
        error_message: 'cancelled',
      },
    });
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: AUTH })).json().status).toBe(
      'CANCELLED',
    );
    const res = await h.app.inject({ method: 'DELETE', url: `/api/v1/jobs/${job.id}`, headers: AUTH });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('JOB_TERMINAL');
  });

  it('when the job is unknown or the id malformed, then 404', async () => {
    for (const id of ['01J00000000000000000000000', 'bad id!']) {
      expect(
        (await h.app.inject({ method: 'DELETE', url: `/api/v1/jobs/${encodeURIComponent(id)}`, headers: AUTH }))
          .statusCode,
      ).toBe(404);
    }
  });
});

describe('scheduled_at and priority', () => {
  it('when scheduled_at is in the future, then the job shows status_detail scheduled and carries its priority', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const res = await post(validJob({ scheduled_at: at, priority: 9 }));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: 'PENDING', status_detail: 'scheduled', scheduled_at: at, priority: 9 });
    const past = await post(validJob({ scheduled_at: new Date(Date.now() - 60_000).toISOString() }));
    expect(past.json().status_detail).toBeNull();
  });
});

describe('image_url resolution (SSRF)', () => {
  it('when the host resolves to a loopback or private address, then 400; a public one is accepted', async () => {
    const job = (image_url: string) => post({ operation_type: 'image_to_video', params: { prompt: 'p', image_url } });
    for (const url of [
      'https://localhost/a.png',
      'https://[::ffff:127.0.0.1]/a.png',
      'https://[::ffff:a9fe:a9fe]/a.png',
      'https://100.64.1.1/a.png',
      'https://unknown.invalid/a.png',
    ]) {
      const res = await job(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details[0].field).toBe('params.image_url');
    }
    expect((await job('https://cdn.example.com/a.png')).statusCode).toBe(202);
  });
});
