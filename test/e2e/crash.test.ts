import { describe, expect, it } from 'vitest';
import { sleep } from '@pixsim/testkit';
import { useTestSystem } from '../harness/system.js';
import { allAssets, metric, submitMany, waitForAssets } from './helpers.js';

describe('crashes, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 1_500, accounts: [{ apiKey: 'sim-key-crash', credits: 10_000_000, maxConcurrent: 100 }] },
    // Short takeover times, so work held by a killed process moves on within seconds.
    env: { POLL_INTERVAL_S: '1', CLAIM_TIMEOUT_MS: '3000', SUBMIT_STALE_MS: '4000', LEASE_MS: '3000', MAX_JOBS: '20' },
    // One submit in flight per dispatcher: a kill can then repeat at most one submit.
    serviceEnv: { dispatcher: { SUBMIT_CONCURRENCY: '1' } },
  });

  it('when the dispatcher and the poller are SIGKILLed with 300 jobs in flight, then every job ends once, no asset is duplicated and no generation is submitted twice unexplained', async () => {
    const sys = system();
    const ids = await submitMany(sys, 300, 'a fox in the snow');
    await sleep(1_500);
    await sys.kill('dispatcher', 'SIGKILL');
    await sleep(2_000);
    await sys.kill('poller', 'SIGKILL');
    await sys.waitReady('dispatcher', 60_000);
    await sys.waitReady('poller', 60_000);

    const jobs = await sys.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 180_000);
    expect(jobs.filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual([]);
    await waitForAssets(sys, ids);
    const assets = (await allAssets(sys)).filter((a) => ids.includes(a.job_id));
    expect(assets).toHaveLength(300);
    expect(new Set(assets.map((a) => a.job_id)).size).toBe(300);

    // A kill between the provider's answer and its record can repeat one submit; it must be
    // recognised (counted by the restarted dispatcher) and happen at most once per kill.
    const stats = await sys.simStats();
    const counted = await metric(sys, 'dispatcher', 'pixsim_possible_duplicate_submissions_total');
    expect(stats.duplicates).toBeLessThanOrEqual(1);
    expect(stats.duplicates).toBeLessThanOrEqual(counted);
    expect(stats.total_submissions).toBe(300 + stats.duplicates);
  });
});
