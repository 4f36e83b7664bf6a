import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

describe('provider accounts, end to end', () => {
  const system = useTestSystem({
    seedAccount: false,
    simulator: {
      latencyMs: 300,
      accounts: [
        { apiKey: 'sim-key-broke', credits: 0, maxConcurrent: 5 },
        { apiKey: 'sim-key-rich', credits: 1_000_000, maxConcurrent: 5 },
      ],
    },
    env: { POLL_INTERVAL_S: '1' },
  });

  it('when there is no account, then the job waits (waiting_for_account) and completes once accounts are added over the API; one without credits becomes EXHAUSTED', async () => {
    const sys = system();
    const job = await submitJob(sys, 'a lighthouse at dawn');
    expect(await sys.waitForJob(job, (j) => j.status_detail === 'waiting_for_account', 20_000)).toMatchObject({
      status: 'PENDING',
    });

    // The account the dispatcher will try first believes it has credits; the provider says otherwise.
    const broke = await sys.api('POST', '/api/v1/accounts', {
      provider_id: 'pixverse',
      api_key: 'sim-key-broke',
      nickname: 'broke',
      priority: 10,
      max_concurrent_jobs: 5,
    });
    expect(broke.status).toBe(201);
    expect(JSON.stringify(broke.body)).not.toContain('sim-key-broke');
    await expect
      .poll(
        async () => (await sys.api('POST', `/api/v1/accounts/${broke.body.id}/credits`, { credits: 5_000 })).status,
        { timeout: 10_000 },
      )
      .toBeLessThan(300);
    await expect
      .poll(async () => (await sys.api('GET', `/api/v1/accounts/${broke.body.id}`)).body.status, { timeout: 20_000 })
      .toBe('EXHAUSTED');
    expect((await sys.api('GET', `/api/v1/jobs/${job}`)).body.status).toBe('PENDING');

    const rich = await sys.api('POST', '/api/v1/accounts', {
      provider_id: 'pixverse',
      api_key: 'sim-key-rich',
      nickname: 'rich',
      priority: 1,
      max_concurrent_jobs: 5,
    });
    expect(rich.status).toBe(201);
    const done = await sys.waitForJob(job, undefined, 30_000);
    expect(done).toMatchObject({ status: 'COMPLETED' });
    expect(done.account_id ?? rich.body.id).toBe(rich.body.id);
    const stats = await sys.simStats();
    expect(stats.total_submissions).toBe(1);
  });
});
