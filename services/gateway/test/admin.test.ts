import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveToDeadLetter } from '@pixsim/bus';
import { EVENT_TYPES } from '@pixsim/contracts';
import { AUTH, createHarness, validJob, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('admin routes', () => {
  it('when streams are inspected, then every stream reports length, DLQ length and its groups', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() });
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/admin/streams', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const { streams } = res.json();
    expect(streams.map((s: { type: string }) => s.type)).toEqual([...EVENT_TYPES]);
    expect(streams[0]).toEqual({
      type: 'JOB_REQUESTED',
      stream: h.keys.stream('JOB_REQUESTED'),
      length: 1,
      dlq_length: 0,
      partitions: 1,
      missing: false,
      over_budget: false,
      // job-intake has not created its group here: its lag of 1 says so, it is no idle group.
      groups: [{ group: 'job-intake', consumers: 0, lag: 1, pending: 0, oldest_pending_ms: null, missing: true }],
    });
  });

  it('when dead letters are replayed, then they go back on their stream', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: AUTH, payload: validJob() });
    const [entry] = (await h.redis.xrange(h.keys.stream('JOB_REQUESTED'), '-', '+')) as [string, string[]][];
    await h.redis.xgroup('CREATE', h.keys.stream('JOB_REQUESTED'), 'job-intake', '0');
    await moveToDeadLetter(h.redis, h.keys, 'JOB_REQUESTED', entry![1], {
      reason: 'test',
      code: 'TEST',
      group: 'job-intake',
      consumer: 'c',
      sourceId: entry![0],
      deliveries: 1,
    });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/admin/dlq/JOB_REQUESTED/replay', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ type: 'JOB_REQUESTED', replayed: 1 });
    expect(await h.redis.xlen(h.keys.deadLetter('JOB_REQUESTED'))).toBe(0);
  });

  it('when dead letters are listed, then each says why it was set aside and carries the entry, oldest first, a page at a time', async () => {
    const stream = h.keys.stream('JOB_CREATED');
    await h.redis.xgroup('CREATE', stream, 'dispatcher', '$', 'MKSTREAM');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const fields = ['id', `evt-${i}`, 'type', 'JOB_CREATED', 'v', '1', 'data', `{"job_id":"job-${i}"}`];
      const sourceId = (await h.redis.xadd(stream, '*', ...fields))!;
      await moveToDeadLetter(h.redis, h.keys, 'JOB_CREATED', fields, {
        reason: `broken ${i}`,
        code: 'SCHEMA_INVALID',
        group: 'dispatcher',
        consumer: 'dispatcher-1',
        sourceId,
        deliveries: i + 1,
      });
      ids.push(sourceId);
    }
    const first = await h.app.inject({ method: 'GET', url: '/api/v1/admin/dlq/JOB_CREATED?limit=2', headers: AUTH });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toEqual({
      id: expect.stringMatching(/^\d+-\d+$/),
      event_id: 'evt-0',
      event_type: 'JOB_CREATED',
      group: 'dispatcher',
      consumer: 'dispatcher-1',
      code: 'SCHEMA_INVALID',
      reason: 'broken 0',
      deliveries: 1,
      source_id: ids[0],
      dead_at: expect.any(String),
      fields: { id: 'evt-0', type: 'JOB_CREATED', v: '1', data: '{"job_id":"job-0"}' },
    });
    expect(page.next_cursor).toBe(page.items[1].id);
    const rest = (
      await h.app.inject({
        method: 'GET',
        url: `/api/v1/admin/dlq/JOB_CREATED?limit=2&cursor=${page.next_cursor}`,
        headers: AUTH,
      })
    ).json();
    expect(rest.items.map((d: { event_id: string }) => d.event_id)).toEqual(['evt-2']);
    expect(rest.next_cursor).toBeNull();
    // Listing is reading: nothing left the dead-letter stream.
    expect(await h.redis.xlen(h.keys.deadLetter('JOB_CREATED'))).toBe(3);
  });

  it('when the dead-letter cursor or limit is malformed, then 400 naming the field', async () => {
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/admin/dlq/JOB_CREATED?cursor=abc', headers: AUTH });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ field: 'cursor', message: expect.stringContaining('dead letter id') }]);
    const big = await h.app.inject({ method: 'GET', url: '/api/v1/admin/dlq/JOB_CREATED?limit=100000', headers: AUTH });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details).toEqual([{ field: 'limit', message: expect.any(String) }]);
  });

  it('when a dead-letter id is beyond the 64-bit range Redis accepts, then 400 naming the field, never 500', async () => {
    const cursors = [
      '99999999999999999999999-1',
      '18446744073709551616-0',
      '1-18446744073709551616',
      `${'0'.repeat(200)}1-1`,
      // The cursor is an exclusive start: nothing can follow the largest id, and Redis refuses `(` before it.
      '18446744073709551615-18446744073709551615',
    ];
    for (const cursor of cursors) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/admin/dlq/JOB_CREATED?cursor=${cursor}`,
        headers: AUTH,
      });
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error.details).toEqual([
        { field: 'cursor', message: expect.stringContaining('dead letter id') },
      ]);
    }
    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/dlq/JOB_CREATED/replay',
      headers: AUTH,
      payload: { ids: ['1-1', '99999999999999999999999-1'] },
    });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.details).toEqual([{ field: 'ids.1', message: expect.any(String) }]);
  });

  it('when a dead-letter id is at the top of the 64-bit range, then it is accepted', async () => {
    const page = await h.app.inject({
      method: 'GET',
      url: '/api/v1/admin/dlq/JOB_CREATED?cursor=18446744073709551615-18446744073709551614',
      headers: AUTH,
    });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ type: 'JOB_CREATED', items: [], next_cursor: null });
    const replay = await h.app.inject({
      method: 'POST',
      url: '/api/v1/admin/dlq/JOB_CREATED/replay',
      headers: AUTH,
      payload: { ids: ['18446744073709551615-18446744073709551615'] },
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ type: 'JOB_CREATED', replayed: 0 });
  });

  it('when the event type is unknown, then 400 naming the type', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/admin/dlq/NOPE/replay', headers: AUTH });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ field: 'type', message: expect.any(String) }]);
  });

  it('when an unknown route is called, then 404 with the error shape', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: AUTH });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
