import { describe, expect, it } from 'vitest';
import { sleep } from '@pixsim/testkit';
import { useTestSystem } from '../harness/system.js';
import { metric, submitMany } from './helpers.js';

describe('a provider outage, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 300, accounts: [{ apiKey: 'sim-key-outage', credits: 10_000_000, maxConcurrent: 50 }] },
    env: { POLL_INTERVAL_S: '1', RETRY_BASE_MS: '500' },
    serviceEnv: { dispatcher: { BREAKER_RESET_MS: '8000', BREAKER_VOLUME: '3' } },
  });

  it('when the provider answers 5xx for 20 s, then the breaker opens, dispatch stops reading, no job fails, and all complete after recovery', async () => {
    const sys = system();
    const outageStarted = Date.now();
    await sys.setFaults({ outage: true });
    const first = await submitMany(sys, 6, 'a paper boat');
    await expect
      .poll(() => metric(sys, 'dispatcher', 'pixsim_circuit_breaker_state{provider="pixverse",name="submit"'), {
        timeout: 15_000,
      })
      .toBe(2);

    // While the breaker is open, new jobs stay in the stream instead of being read and failed.
    const callsBefore = (await sys.simStats()).faults_injected.outage ?? 0;
    const later = await submitMany(sys, 30, 'a paper plane');
    await sleep(2_000);
    const streams = (await sys.api('GET', '/api/v1/admin/streams')).body;
    const created = (streams.streams ?? streams).find((s: { type: string }) => s.type === 'JOB_CREATED');
    const dispatcherGroup = created.groups.find((g: { group: string }) => g.group === 'dispatcher');
    expect(dispatcherGroup.lag + dispatcherGroup.pending).toBeGreaterThanOrEqual(20);
    expect((await sys.simStats()).faults_injected.outage ?? 0).toBe(callsBefore);
    const ids = [...first, ...later];
    const meanwhile = await sys.waitForAll(ids, ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'], 10_000);
    expect(meanwhile.filter((j) => j.status === 'FAILED')).toEqual([]);

    await sleep(Math.max(0, 20_000 - (Date.now() - outageStarted)));
    await sys.setFaults({ outage: false });
    const jobs = await sys.waitForAll(ids, ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
    expect(jobs.filter((j) => j.status !== 'COMPLETED').map((j) => `${j.id} ${j.status} ${j.error_code}`)).toEqual([]);
    expect((await sys.simStats()).duplicates).toBe(0);
  });
});
