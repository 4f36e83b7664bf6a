import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, sleep } from '@pixsim/testkit';
import { streamStats } from '@pixsim/bus';
import { createKeys } from '@pixsim/contracts';
import { useTestSystem, type Job, type TestSystem } from '../harness/system.js';
import { allAssets, submitJob } from './helpers.js';

const JOBS = 80;
const WATCHED = 10;
const CAP = 6;

interface View {
  version: number;
  job: Job;
}

/**
 * Follows GET /jobs/{id}/events on one gateway until the server ends the stream (after the
 * final view), keeping every `event: job` with its `id:` (the view's version). A 404 while
 * the job is still on its way to the read model is tried again.
 */
async function watch(url: string, token: string, id: string, signal: AbortSignal): Promise<View[]> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}/api/v1/jobs/${id}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal,
    });
    if (res.status === 404 && attempt < 50) {
      await res.body?.cancel();
      await sleep(100);
      continue;
    }
    if (res.status !== 200 || !res.body) throw new Error(`events of ${id}: ${res.status} ${await res.text()}`);
    const views: View[] = [];
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const field = (name: string) =>
          lines
            .find((l) => l.startsWith(`${name}:`))
            ?.slice(name.length + 1)
            .trim();
        if (field('event') === 'job') views.push({ version: Number(field('id')), job: JSON.parse(field('data')!) });
      }
    }
    return views;
  }
}

/** Sums one counter over every replica's /metrics (a restarted replica counts from 0 again). */
async function metricOverReplicas(sys: TestSystem, service: 'dispatcher', name: string): Promise<number> {
  let sum = 0;
  for (const port of sys.replicaPorts[service] ?? []) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const l of text.split('\n')) if (l.startsWith(name)) sum += Number(l.split(' ').at(-1));
  }
  return sum;
}

describe('two replicas of every service, end to end', () => {
  const system = useTestSystem({
    replicas: 2,
    // A small concurrency cap, so the two dispatchers have to share it.
    simulator: {
      latencyMs: 1_500,
      accounts: [{ apiKey: 'sim-key-replicas', credits: 10_000_000, maxConcurrent: CAP }],
    },
    // Short takeover times, so work held by a killed replica moves on within seconds.
    env: { POLL_INTERVAL_S: '1', CLAIM_TIMEOUT_MS: '3000', SUBMIT_STALE_MS: '4000', LEASE_MS: '3000', MAX_JOBS: '20' },
    // One submit in flight per dispatcher: a kill can then repeat at most one submit.
    serviceEnv: { dispatcher: { SUBMIT_CONCURRENCY: '1' } },
    readyTimeoutMs: 110_000,
  });

  it('when jobs come through both gateways and one dispatcher and one poller replica are SIGKILLed, then every job completes once with its own asset, within the account cap, watched live on the other gateway, and nothing stays pending', async () => {
    const sys = system();
    expect(sys.gatewayUrls).toHaveLength(2);
    expect(sys.replicas.dispatcher).toEqual(['dispatcher#1', 'dispatcher#2']);
    const run = Date.now().toString(36);
    const watchers = new AbortController();
    const watched = new Map<string, Promise<View[]>>();
    const ids = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => {
        // Odd jobs through the second gateway; the first WATCHED are followed on the gateway that did not take them.
        const via = i % 2;
        // A watched job generates for 6 s, so its stream opens while it is still under way.
        const slow = i < WATCHED ? ' [sim:delay=6000]' : '';
        const id = await submitJob(sys.on(via), `a heron over two replicas ${run} #${i}${slow}`);
        if (i < WATCHED) {
          const views = watch(sys.gatewayUrls[1 - via]!, sys.adminToken, id, watchers.signal);
          views.catch(() => {}); // awaited below; a test that fails before then aborts it, which is no second failure
          watched.set(id, views);
        }
        return id;
      }),
    );
    const killer = setTimeout(() => watchers.abort(), 150_000);
    try {
      await sleep(1_500);
      await sys.kill('dispatcher#2', 'SIGKILL');
      await sleep(2_000);
      await sys.kill('poller#1', 'SIGKILL');
      await sys.waitReady('dispatcher', 60_000);
      await sys.waitReady('poller', 60_000);

      // Read through the second gateway: both serve the one read model.
      const other = sys.on(1);
      const jobs = await other.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 120_000);
      expect(jobs.filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual(
        [],
      );
      // Each job its own asset: one asset per job, and no job with two.
      await expect
        .poll(async () => (await sys.waitForAll(ids, ['COMPLETED'])).filter((j) => !j.asset_id).length, {
          timeout: 30_000,
        })
        .toBe(0);
      const final = new Map((await sys.waitForAll(ids, ['COMPLETED'])).map((j) => [j.id, j]));
      const assets = (await allAssets(sys)).filter((a) => final.has(a.job_id));
      expect(assets).toHaveLength(JOBS);
      expect(new Set(assets.map((a) => a.job_id)).size).toBe(JOBS);
      for (const a of assets) expect(final.get(a.job_id)!.asset_id).toBe(a.id);

      // No generation submitted twice, except the one submit a killed dispatcher can repeat,
      // recognised and counted by a dispatcher replica.
      const stats = await sys.simStats();
      const counted = await metricOverReplicas(sys, 'dispatcher', 'pixsim_possible_duplicate_submissions_total');
      expect(stats.duplicates).toBeLessThanOrEqual(1);
      expect(stats.duplicates).toBeLessThanOrEqual(counted);
      expect(stats.total_submissions).toBe(JOBS + stats.duplicates);
      // Every submit call was accepted: two dispatchers sharing a cap of CAP never went over it
      // (the simulator would have refused with 500044), and nothing else was refused.
      expect(stats.calls.text_generate).toBe(stats.total_submissions);
      expect(Object.values(stats.in_flight)).toEqual([0]);

      // Watched on the other gateway: views in order, up to the final one, with its asset.
      for (const [id, views] of watched) {
        const seen = await views;
        const versions = seen.map((v) => v.version);
        expect(versions, `versions of ${id}`).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        expect(
          seen.map((v) => v.job.status),
          `views of ${id} on the other gateway`,
        ).toContain('PROCESSING');
        const last = seen.at(-1)!.job;
        expect({ id, status: last.status, asset_id: last.asset_id }).toEqual({
          id,
          status: 'COMPLETED',
          asset_id: final.get(id)!.asset_id,
        });
        const order = ['PENDING', 'PROCESSING', 'COMPLETED'];
        const ranks = seen.map((v) => order.indexOf(v.job.status));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      }

      // Nothing left pending or unread in any consumer group.
      const redis = new Redis(REDIS_URL);
      try {
        const busy = async () =>
          (await streamStats(redis, createKeys(sys.prefix))).flatMap((s) =>
            s.groups
              .filter((g) => g.pending > 0 || (g.lag ?? 0) > 0)
              .map((g) => `${s.type}/${g.group} ${g.pending} pending ${g.lag ?? 0} unread`),
          );
        await expect.poll(busy, { timeout: 20_000, interval: 500 }).toEqual([]);
      } finally {
        redis.disconnect();
      }
    } finally {
      clearTimeout(killer);
      watchers.abort();
    }
  });
});
