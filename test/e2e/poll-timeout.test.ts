import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

describe('a poll that keeps failing, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 200, accounts: [{ apiKey: 'sim-key-timeout', credits: 1_000_000, maxConcurrent: 5 }] },
    env: { POLL_INTERVAL_S: '1' },
    serviceEnv: { poller: { JOB_TIMEOUT_S: '6' } },
  });

  it('when every status call fails, then the job does not stay PROCESSING past JOB_TIMEOUT_S: it FAILS with TIMEOUT', async () => {
    const sys = system();
    await sys.setFaults({ http5xxRate: 1, endpoints: ['result'] });
    const started = Date.now();
    const job = await submitJob(sys, 'an endless river');
    expect(await sys.waitForJob(job, (j) => j.status === 'PROCESSING', 15_000)).toMatchObject({ status: 'PROCESSING' });
    const done = await sys.waitForJob(job, undefined, 30_000);
    expect(done).toMatchObject({ status: 'FAILED', error_code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(20_000);
    await sys.setFaults({ http5xxRate: 0, endpoints: null });
  });
});
