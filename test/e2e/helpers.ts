import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { sleep } from '@pixsim/testkit';
import type { Job, TestSystem } from '../harness/system.js';

/**
 * POSTs a text-to-video job (`body`: more top-level fields) and returns its id (asserting the 202). Like a well-behaved
 * client it honours 503/429 with Retry-After a few times: a loaded test machine can make
 * the gateway shed load, which is an answer, not a failure.
 */
export async function submitJob(
  sys: TestSystem,
  prompt: string,
  params: Record<string, unknown> = {},
  body: Record<string, unknown> = {},
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const res = await sys.api<Job>('POST', '/api/v1/jobs', {
      operation_type: 'text_to_video',
      params: { prompt, ...params },
      ...body,
    });
    if ((res.status === 503 || res.status === 429) && attempt < 5) {
      await sleep(1_000 * Number(res.headers.get('retry-after') ?? 1));
      continue;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id;
  }
}

/** Submits `count` jobs at once, each with a unique prompt, and returns their ids. */
export async function submitMany(sys: TestSystem, count: number, label: string): Promise<string[]> {
  const run = randomUUID().slice(0, 6);
  return Promise.all(Array.from({ length: count }, (_, i) => submitJob(sys, `${label} ${run} #${i}`)));
}

/**
 * Waits until every one of `ids` is COMPLETED and carries its asset id, and returns the jobs.
 * A job is COMPLETED when the provider is done; its asset id follows with ASSET_CREATED, so
 * right after the last job turns COMPLETED a few assets may still be on their way.
 */
export async function waitForAssets(sys: TestSystem, ids: readonly string[], timeoutMs = 30_000): Promise<Job[]> {
  let jobs = await sys.waitForAll(ids, ['COMPLETED'], timeoutMs);
  for (const deadline = Date.now() + timeoutMs; jobs.some((j) => !j.asset_id) && Date.now() < deadline; ) {
    await sleep(250);
    jobs = await sys.waitForAll(ids, ['COMPLETED'], timeoutMs);
  }
  expect(
    jobs.filter((j) => !j.asset_id).map((j) => j.id),
    'COMPLETED jobs still without an asset',
  ).toEqual([]);
  return jobs;
}

/** Every asset the system holds (all pages). */
export async function allAssets(sys: TestSystem): Promise<Array<{ id: string; job_id: string }>> {
  const out: Array<{ id: string; job_id: string }> = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { items: Array<{ id: string; job_id: string }>; next_cursor: string | null } } =
      await sys.api('GET', `/api/v1/assets?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}

/** Reads one counter from a worker's /metrics (0 when absent). */
export async function metric(sys: TestSystem, service: string, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${(sys.ports as Record<string, number>)[service]}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
