import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/index.js';
import { call, env, generate, operator, start } from './helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('fault injection', () => {
  it('when the outage switch is on, then every call answers HTTP 503 until it is turned off', async () => {
    sim = await start();
    await operator(sim, '/faults', { outage: true });
    for (const path of ['/account/balance', '/video/result/1']) {
      const res = await call(sim, path);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
    expect((await call(sim, '/video/text/generate', { body: {} })).status).toBe(503);
    await operator(sim, '/faults', { outage: false });
    expect((await call(sim, '/account/balance')).status).toBe(200);
    expect(sim.stats().faults_injected.outage).toBe(3);
    expect(sim.stats().total_submissions).toBe(0);
  });

  it('when the drop rate is 1, then the connection is destroyed and fetch rejects', async () => {
    sim = await start({ faults: { dropRate: 1 } });
    await expect(call(sim, '/account/balance')).rejects.toThrow();
    expect(sim.stats().faults_injected.drop).toBe(1);
  });

  it('when the rate-limit rate is 1, then HTTP 429 with Retry-After', async () => {
    sim = await start({ faults: { rateLimitRate: 1, retryAfterS: 7 } });
    const res = await call(sim, '/account/balance');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
  });

  it('when the timeout rate is 1, then the request hangs until timeoutMs and then gets a 504', async () => {
    sim = await start({ faults: { timeoutRate: 1, timeoutMs: 300 } });
    const abort = AbortSignal.timeout(100);
    await expect(fetch(`${sim.url}/openapi/v2/account/balance`, { signal: abort })).rejects.toThrow();
    const t0 = Date.now();
    const res = await call(sim, '/account/balance');
    expect(res.status).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(sim.stats().faults_injected.timeout).toBeGreaterThanOrEqual(1);
  });

  it('when the 5xx rate is 1, then HTTP 502 or 503 with an HTML body', async () => {
    sim = await start({ faults: { http5xxRate: 1 } });
    const res = await call(sim, '/account/balance');
    expect([502, 503]).toContain(res.status);
    expect(await res.text()).toMatch(/<html>/);
  });

  it('when the high-load rate is 1, then ErrCode 500069 and no generation is created', async () => {
    sim = await start({ faults: { highLoadRate: 1 } });
    expect((await generate(sim, 'under load')).ErrCode).toBe(500069);
    expect(sim.stats().total_submissions).toBe(0);
  });

  it('when slowMs is set, then answers are delayed by it', async () => {
    sim = await start({ faults: { slowMs: 150 } });
    const t0 = Date.now();
    expect((await env(sim, '/account/balance')).ErrCode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('when faults are limited to some endpoints, then the others answer normally', async () => {
    sim = await start();
    sim.setFaults({ highLoadRate: 1, endpoints: ['text_generate'] });
    expect((await generate(sim, 'limited')).ErrCode).toBe(500069);
    expect((await env(sim, '/account/balance')).ErrCode).toBe(0);
  });

  it('when two simulators share a seed, then their fault sequences match', async () => {
    const outcomes = async (): Promise<number[]> => {
      const s = await start({ seed: 42, faults: { highLoadRate: 0.5 } });
      const codes: number[] = [];
      for (let i = 0; i < 20; i++) codes.push((await env(s, '/account/balance')).ErrCode);
      await s.stop();
      return codes;
    };
    const a = await outcomes();
    expect(await outcomes()).toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 500069]));
  });

  it('when a fault config is invalid, then the operator endpoint answers 400 and keeps the old one', async () => {
    sim = await start();
    expect((await operator(sim, '/faults', { dropRate: 2 })).status).toBe(400);
    expect((await operator(sim, '/faults', { nonsense: 1 })).status).toBe(400);
    expect(await (await fetch(`${sim.url}/__sim/faults`)).json()).toMatchObject({ dropRate: 0 });
  });
});
