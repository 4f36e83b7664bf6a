import { randomUUID } from 'node:crypto';
import { startSimulator } from '../src/index.js';
import type { Simulator, SimulatorOptions } from '../src/index.js';

export const KEY = 'sk-test-primary-key';

export const TEXT_BODY = { model: 'v4.5', quality: '540p', duration: 5, aspect_ratio: '16:9' } as const;

export async function start(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ latencyMs: 0, accounts: [{ apiKey: KEY, credits: 10_000, maxConcurrent: 10 }], ...opts });
}

export interface CallOptions {
  key?: string | null;
  traceId?: string | null;
  body?: unknown;
  method?: string;
}

export async function call(sim: Simulator, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers['API-KEY'] = opts.key ?? KEY;
  if (opts.traceId !== null) headers['Ai-trace-id'] = opts.traceId ?? randomUUID();
  const init: RequestInit = { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), headers };
  if (opts.body instanceof FormData) init.body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  return fetch(`${sim.url}/openapi/v2${path}`, init);
}

export interface Envelope<R = Record<string, unknown>> {
  ErrCode: number;
  ErrMsg: string;
  Resp: R;
}

export async function env<R = Record<string, unknown>>(
  sim: Simulator,
  path: string,
  opts: CallOptions = {},
): Promise<Envelope<R>> {
  const res = await call(sim, path, opts);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as Envelope<R>;
}

export async function generate(
  sim: Simulator,
  prompt: string,
  extra: Record<string, unknown> = {},
  key?: string,
): Promise<Envelope<{ video_id: number }>> {
  return env<{ video_id: number }>(sim, '/video/text/generate', { body: { ...TEXT_BODY, prompt, ...extra }, key });
}

export async function result(
  sim: Simulator,
  id: number,
  key?: string,
): Promise<Envelope<{ status: number; url: string } & Record<string, unknown>>> {
  return env(sim, `/video/result/${id}`, { key });
}

export async function balance(sim: Simulator, key?: string): Promise<number> {
  const r = await env<{ credit_monthly: number; credit_package: number }>(sim, '/account/balance', { key });
  return r.Resp.credit_monthly + r.Resp.credit_package;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function operator(sim: Simulator, path: string, body?: unknown): Promise<Response> {
  return fetch(
    `${sim.url}/__sim${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
}

/** Polls `check` until it holds or `ms` pass; timing tests wait for outcomes rather than guess durations. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}
