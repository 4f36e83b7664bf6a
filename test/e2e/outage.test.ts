import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../harness/system.js';
import { submitMany } from './helpers.js';

describe('a provider outage, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 300, accounts: [{ apiKey: 'sim-key-outage', credits: 10_000_000, maxConcurrent: 50 }] },
    env: { POLL_INTERVAL_S: '1', RETRY_BASE_MS: '500' },
    serviceEnv: { dispatcher: { BREAKER_RESET_MS: '3000', BREAKER_VOLUME: '3' } },
  });

  it('when the provider answers 5xx for 20 s, then the breaker opens, dispatch stops reading, no job fails, and all complete after recovery', async () => {
    const sys = system();
    await sys.setFaults({ outage: true });
    const ids = await submitMany(sys, 40, 'a paper boat');
    await new Promise((r) => setTimeout(r, 6_000));
    const during = await sys.simStats();
    const streams = (await sys.api('GET', '/api/v1/admin/streams')).body;
    const created = (streams.streams ?? streams).find((s: { type: string }) => s.type === 'JOB_CREATED');
    const dispatcherGroup = created.groups.find((g: { group: string }) => g.group === 'dispatcher');
    // The open breaker keeps calls away from the provider: a handful of trials, not one per job and retry.
    expect(during.faults_injected.outage ?? 0).toBeLessThan(40);
    expect(dispatcherGroup.lag + dispatcherGroup.pending).toBeGreaterThan(0);
    const meanwhile = await sys.waitForAll(ids, ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'], 10_000);
    expect(meanwhile.filter((j) => j.status === 'FAILED')).toEqual([]);

    await new Promise((r) => setTimeout(r, 14_000));
    await sys.setFaults({ outage: false });
    const jobs = await sys.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
    expect(jobs.filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual([]);
    expect((await sys.simStats()).duplicates).toBe(0);
  });
});
