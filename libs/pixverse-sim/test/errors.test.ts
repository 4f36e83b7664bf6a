import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { KEY, TEXT_BODY, balance, call, env, generate, start } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await start({
    accounts: [
      { apiKey: KEY, credits: 1_000_000, maxConcurrent: 1000 },
      { apiKey: 'sk-poor', credits: 10, maxConcurrent: 5 },
    ],
  });
});
afterAll(async () => sim.stop());

describe('envelope and headers', () => {
  it('when a call succeeds, then it answers HTTP 200 JSON with ErrCode 0 and the Resp', async () => {
    const res = await call(sim, '/account/balance');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = await res.json();
    expect(body).toEqual({
      ErrCode: 0,
      ErrMsg: 'success',
      Resp: { account_id: expect.any(Number), credit_monthly: 0, credit_package: 1_000_000 },
    });
  });

  it('when the Ai-trace-id header is missing, then ErrCode 400011 comes with HTTP 200', async () => {
    const res = await call(sim, '/account/balance', { traceId: null });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ErrCode: number }).ErrCode).toBe(400011);
  });

  it('when headers use other letter cases, then they are still read', async () => {
    const res = await fetch(`${sim.url}/openapi/v2/account/balance`, {
      headers: { 'api-key': KEY, 'AI-TRACE-ID': 'x-1' },
    });
    expect(((await res.json()) as { ErrCode: number }).ErrCode).toBe(0);
  });

  it('when the API key is unknown or missing, then ErrCode 400012 "invalid account"', async () => {
    expect(await env(sim, '/account/balance', { key: 'sk-nobody' })).toMatchObject({
      ErrCode: 400012,
      ErrMsg: 'invalid account',
    });
    expect((await env(sim, '/video/text/generate', { key: null, body: { ...TEXT_BODY, prompt: 'p' } })).ErrCode).toBe(
      400012,
    );
  });

  it('when the body is not JSON, then ErrCode 400013', async () => {
    const res = await fetch(`${sim.url}/openapi/v2/video/text/generate`, {
      method: 'POST',
      headers: { 'API-KEY': KEY, 'Ai-trace-id': 't', 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ErrCode: number }).ErrCode).toBe(400013);
  });
});

describe('parameter validation', () => {
  const cases: Array<[string, Record<string, unknown>, number]> = [
    ['a required field is missing', { prompt: 'p', model: 'v4.5', quality: '540p', duration: 5 }, 400011],
    ['duration is a string', { duration: '5' }, 400013],
    ['the model is unknown', { model: 'v9' }, 400017],
    ['the quality is unknown', { quality: '4k' }, 400017],
    ['the aspect ratio is unknown', { aspect_ratio: '2:1' }, 400017],
    ['v4.5 gets 10 s', { duration: 10 }, 400017],
    ['v5 gets 8 s at 1080p', { model: 'v5', quality: '1080p', duration: 8 }, 400017],
    ['v5.5 gets 10 s at 1080p', { model: 'v5.5', quality: '1080p', duration: 10 }, 400017],
    ['v6 gets 16 s', { model: 'v6', duration: 16 }, 400017],
    ['the seed is negative', { seed: -1 }, 400017],
    ['the seed is above 2147483647', { seed: 2147483648 }, 400017],
    ['fast motion is asked for 8 s', { motion_mode: 'fast', duration: 8 }, 400017],
    ['fast motion is asked at 1080p', { motion_mode: 'fast', quality: '1080p' }, 400017],
    ['fast motion is asked on v5', { motion_mode: 'fast', model: 'v5' }, 400017],
    ['the motion mode is unknown', { motion_mode: 'slow' }, 400017],
    ['the prompt has 2049 characters', { prompt: 'a'.repeat(2049) }, 400018],
    ['the negative prompt has 2049 characters', { negative_prompt: 'a'.repeat(2049) }, 400019],
  ];
  for (const [what, patch, code] of cases) {
    it(`when ${what}, then ErrCode ${code}`, async () => {
      const body = what.includes('required') ? patch : { ...TEXT_BODY, prompt: `validation ${what}`, ...patch };
      expect((await env(sim, '/video/text/generate', { body })).ErrCode).toBe(code);
    });
  }

  it('when parameters sit at their limits, then the submission is accepted', async () => {
    for (const patch of [
      { prompt: 'b'.repeat(2048), negative_prompt: 'c'.repeat(2048), seed: 2147483647 },
      { prompt: 'limits v5.5', model: 'v5.5', quality: '1080p', duration: 8 },
      { prompt: 'limits v6', model: 'v6', duration: 15, aspect_ratio: '9:16' },
      { prompt: 'limits fast', motion_mode: 'fast', model: 'v4', seed: 0 },
    ]) {
      expect((await env(sim, '/video/text/generate', { body: { ...TEXT_BODY, ...patch } })).ErrCode).toBe(0);
    }
  });

  it('when image-to-video names an unknown img_id, then ErrCode 400032', async () => {
    const r = await env(sim, '/video/img/generate', {
      body: { img_id: 42, prompt: 'img', model: 'v4.5', duration: 5, quality: '540p' },
    });
    expect(r.ErrCode).toBe(400032);
  });
});

describe('business refusals at submit', () => {
  it('when the prompt carries [sim:reject], then ErrCode 500063 and nothing is charged', async () => {
    const before = await balance(sim);
    expect((await generate(sim, 'bad words [sim:reject]')).ErrCode).toBe(500063);
    expect(await balance(sim)).toBe(before);
  });

  it('when the prompt carries [sim:error=CODE], then that ErrCode is answered', async () => {
    for (const code of [500069, 500090, 500044, 400017, 99999, 500100]) {
      expect((await generate(sim, `injected [sim:error=${code}]`)).ErrCode).toBe(code);
    }
  });

  it('when the account cannot pay the price, then ErrCode 500090', async () => {
    expect((await generate(sim, 'too expensive', {}, 'sk-poor')).ErrCode).toBe(500090);
  });
});

describe('image upload', () => {
  it('when an image_url is sent as multipart or JSON, then an img_id usable for image-to-video comes back', async () => {
    const form = new FormData();
    form.set('image_url', 'https://example.com/cat.webp');
    const a = await env<{ img_id: number; img_url: string }>(sim, '/image/upload', { body: form });
    const b = await env<{ img_id: number; img_url: string }>(sim, '/image/upload', {
      body: { image_url: 'https://example.com/dog.jpg' },
    });
    expect(a.ErrCode).toBe(0);
    expect(a.Resp.img_url).toMatch(/\.webp$/);
    expect(b.Resp.img_id).not.toBe(a.Resp.img_id);
    const gen = await env(sim, '/video/img/generate', {
      body: { img_id: a.Resp.img_id, prompt: 'cat walks', model: 'v5', duration: 5, quality: '720p' },
    });
    expect(gen.ErrCode).toBe(0);
  });

  it('when an image file is uploaded, then png/webp/jpeg pass and other formats get 400017', async () => {
    const ok = new FormData();
    ok.set('image', new Blob([Buffer.from('fake png')], { type: 'image/png' }), 'x.png');
    expect((await env(sim, '/image/upload', { body: ok })).ErrCode).toBe(0);
    const gif = new FormData();
    gif.set('image', new Blob([Buffer.from('fake gif')], { type: 'image/gif' }), 'x.gif');
    expect((await env(sim, '/image/upload', { body: gif })).ErrCode).toBe(400017);
    expect((await env(sim, '/image/upload', { body: new FormData() })).ErrCode).toBe(400011);
  });

  it('when moderation refuses the image, then HTTP 500 with lower-case {err_code: 500052, err_msg, resp}', async () => {
    const form = new FormData();
    form.set('image', new Blob([Buffer.from('x')], { type: 'image/jpeg' }), 'sim-moderate.jpg');
    const res = await call(sim, '/image/upload', { body: form });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ err_code: 500052, err_msg: expect.any(String), resp: {} });
  });
});
