import { afterEach, describe, expect, it } from 'vitest';
import { keyId, type Simulator } from '../src/index.js';
import { KEY, balance, env, generate, operator, result, sleep, start, until } from './helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('generation status', () => {
  it('when the latency has not passed, then status is 5; after it, status 1 with url and output fields', async () => {
    sim = await start({ latencyMs: 1000 });
    const { Resp } = await generate(sim, 'a fox in the snow', { quality: '720p', aspect_ratio: '9:16', seed: 7 });
    expect(Number.isInteger(Resp.video_id)).toBe(true);
    const first = await result(sim, Resp.video_id);
    expect(first.ErrCode).toBe(0);
    expect(first.Resp).toMatchObject({ id: Resp.video_id, status: 5, url: '' });
    await until(async () => (await result(sim!, Resp.video_id)).Resp.status !== 5);
    const done = await result(sim, Resp.video_id);
    expect(done.Resp).toMatchObject({
      id: Resp.video_id,
      status: 1,
      url: `https://media.pixverse.sim/${Resp.video_id}.mp4`,
      outputWidth: 720,
      outputHeight: 1280,
      seed: 7,
      prompt: 'a fox in the snow',
      create_time: expect.any(String),
      modify_time: expect.any(String),
    });
    expect(done.Resp.size).toBeGreaterThan(0);
  });

  it('when latency is 0, then the first status call already sees status 1', async () => {
    sim = await start({ latencyMs: 0 });
    const { Resp } = await generate(sim, 'instant');
    expect((await result(sim, Resp.video_id)).Resp.status).toBe(1);
  });

  it('when the prompt carries [sim:fail], then the generation ends in status 8 without url', async () => {
    sim = await start();
    const { Resp } = await generate(sim, 'doomed [sim:fail]');
    expect((await result(sim, Resp.video_id)).Resp).toMatchObject({ status: 8, url: '' });
  });

  it('when the prompt carries [sim:moderate], then status 7 and the credits are refunded', async () => {
    sim = await start({ latencyMs: 1000 });
    const before = await balance(sim);
    const { Resp } = await generate(sim, 'forbidden [sim:moderate]');
    expect(await balance(sim)).toBe(before - 45);
    await until(async () => (await result(sim!, Resp.video_id)).Resp.status !== 5);
    expect((await result(sim, Resp.video_id)).Resp.status).toBe(7);
    expect(await balance(sim)).toBe(before);
  });

  it('when the prompt carries [sim:delay=MS], then that generation takes MS and others the default', async () => {
    sim = await start({ latencyMs: 0 });
    const t0 = Date.now();
    const slow = await generate(sim, 'slow one [sim:delay=1000]');
    const fast = await generate(sim, 'fast one');
    expect((await result(sim, fast.Resp.video_id)).Resp.status).toBe(1);
    expect((await result(sim, slow.Resp.video_id)).Resp.status).toBe(5);
    await until(async () => (await result(sim!, slow.Resp.video_id)).Resp.status === 1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('when another account asks for a generation, then it is not found (400017)', async () => {
    sim = await start({
      accounts: [
        { apiKey: KEY, credits: 1000, maxConcurrent: 2 },
        { apiKey: 'sk-other', credits: 1000, maxConcurrent: 2 },
      ],
    });
    const { Resp } = await generate(sim, 'mine');
    expect((await result(sim, Resp.video_id, 'sk-other')).ErrCode).toBe(400017);
    expect((await env(sim, '/video/result/abc')).ErrCode).toBe(400013);
  });
});

describe('concurrency and credits', () => {
  it('when the concurrency limit is reached, then 500044 until a generation completes', async () => {
    sim = await start({ latencyMs: 1500, accounts: [{ apiKey: KEY, credits: 1000, maxConcurrent: 2 }] });
    const first = await generate(sim, 'slot 1');
    expect((await generate(sim, 'slot 2')).ErrCode).toBe(0);
    expect((await generate(sim, 'slot 3')).ErrCode).toBe(500044);
    expect(sim.stats().in_flight[keyId(KEY)]).toBe(2);
    await until(async () => (await result(sim!, first.Resp.video_id)).Resp.status === 1);
    expect((await generate(sim, 'slot 3 again')).ErrCode).toBe(0);
  });

  it('when a generation is still running after slotReleaseMs, then its slot is freed anyway', async () => {
    sim = await start({
      latencyMs: 60_000,
      slotReleaseMs: 1000,
      accounts: [{ apiKey: KEY, credits: 1000, maxConcurrent: 1 }],
    });
    const { Resp } = await generate(sim, 'long one');
    expect((await generate(sim, 'blocked')).ErrCode).toBe(500044);
    await sleep(1050);
    expect((await generate(sim, 'now free')).ErrCode).toBe(0);
    expect((await result(sim, Resp.video_id)).Resp.status).toBe(5);
  });

  it('when generations are submitted, then each is charged per the price table', async () => {
    sim = await start({ accounts: [{ apiKey: KEY, credits: 10_000, maxConcurrent: 100 }] });
    const table: Array<[Record<string, unknown>, number]> = [
      [{ quality: '360p', duration: 5 }, 45],
      [{ quality: '540p', duration: 8 }, 90],
      [{ quality: '720p', duration: 5 }, 60],
      [{ quality: '720p', duration: 8 }, 120],
      [{ quality: '1080p', duration: 5 }, 120],
      [{ quality: '540p', duration: 5, motion_mode: 'fast' }, 90],
      [{ quality: '720p', duration: 5, motion_mode: 'fast' }, 120],
    ];
    let expected = 10_000;
    for (const [i, [patch, price]] of table.entries()) {
      expect((await generate(sim, `priced ${i}`, patch)).ErrCode).toBe(0);
      expected -= price;
      expect(await balance(sim)).toBe(expected);
    }
    expect(sim.stats().credits[keyId(KEY)]).toBe(expected);
  });

  it('when credits run short mid-way, then the next submission gets 500090', async () => {
    sim = await start({ accounts: [{ apiKey: KEY, credits: 100, maxConcurrent: 10 }] });
    expect((await generate(sim, 'first 45')).ErrCode).toBe(0);
    expect((await generate(sim, 'second 45')).ErrCode).toBe(0);
    expect((await generate(sim, 'third 45')).ErrCode).toBe(500090);
  });
});

describe('stats', () => {
  it('when the same body is accepted twice, then it counts as a duplicate; unique prompts do not', async () => {
    sim = await start();
    await generate(sim, 'unique a');
    await generate(sim, 'unique b');
    await generate(sim, 'twice');
    await generate(sim, 'twice');
    await generate(sim, 'twice [sim:reject]');
    const stats = (await (await operator(sim, '/stats')).json()) as ReturnType<Simulator['stats']>;
    expect(stats.total_submissions).toBe(4);
    expect(stats.submissions).toEqual({ [keyId(KEY)]: 4 });
    expect(stats.duplicates).toBe(1);
    expect(stats.duplicate_fingerprints).toHaveLength(1);
    expect(stats.calls.text_generate).toBe(5);
    expect(JSON.stringify(stats)).not.toContain(KEY);
  });

  it('when a submit reuses an earlier Ai-trace-id, then that generation stays in status 5 and is counted', async () => {
    sim = await start();
    await env(sim, '/video/text/generate', {
      traceId: 'same-trace',
      body: { model: 'v4', quality: '360p', duration: 5, aspect_ratio: '1:1', prompt: 'first' },
    });
    const second = await env<{ video_id: number }>(sim, '/video/text/generate', {
      traceId: 'same-trace',
      body: { model: 'v4', quality: '360p', duration: 5, aspect_ratio: '1:1', prompt: 'second' },
    });
    expect((await result(sim, second.Resp.video_id)).Resp.status).toBe(5);
    expect(sim.stats().reused_trace_ids).toBe(1);
  });

  it('when the operator adds an account and resets, then the account works and counters start over', async () => {
    sim = await start();
    const added = await operator(sim, '/accounts', { api_key: 'sk-added', credits: 50, max_concurrent: 1 });
    expect(await added.json()).toMatchObject({ key_id: keyId('sk-added') });
    expect(await balance(sim, 'sk-added')).toBe(50);
    await generate(sim, 'before reset');
    expect((await operator(sim, '/reset', {})).status).toBe(200);
    expect(sim.stats().total_submissions).toBe(0);
    expect(await balance(sim, 'sk-added')).toBe(50);
    await operator(sim, '/reset', { accounts: true });
    expect((await env(sim, '/account/balance', { key: 'sk-added' })).ErrCode).toBe(400012);
    expect((await operator(sim, '/accounts', { api_key: 'x' })).status).toBe(400);
  });
});
