import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '@pixsim/testkit';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

const gatewayPort = await freePort();
const secret = 'whsec-e2e-0123456789abcdef';

describe('provider webhooks, end to end', () => {
  const system = useTestSystem({
    ports: { gateway: gatewayPort },
    simulator: {
      latencyMs: 1_500,
      accounts: [{ apiKey: 'sim-key-webhook', credits: 1_000_000, maxConcurrent: 5 }],
      args: ['--webhook-url', `http://127.0.0.1:${gatewayPort}/api/v1/webhooks/pixverse`, '--webhook-secret', secret],
    },
    // Polling alone would look at the generation only after a minute.
    env: { POLL_INTERVAL_S: '60', FIRST_POLL_DELAY_MS: '60000' },
    serviceEnv: { gateway: { PIXVERSE_WEBHOOK_SECRET: secret } },
  });

  it('when the provider signals the end by webhook, then the job completes long before its next poll would have come', async () => {
    const sys = system();
    const started = Date.now();
    const job = await submitJob(sys, 'a hummingbird in slow motion');
    const done = await sys.waitForJob(job, undefined, 30_000);
    expect(done).toMatchObject({ status: 'COMPLETED' });
    expect(Date.now() - started).toBeLessThan(20_000);
    const stats = await sys.simStats();
    expect(stats.webhooks?.delivered ?? 0).toBeGreaterThanOrEqual(1);
  });

  it('when a webhook has a bad signature, then it is refused', async () => {
    const bad = await fetch(`http://127.0.0.1:${gatewayPort}/api/v1/webhooks/pixverse`, {
      method: 'POST',
      body: '{"video_id":1,"status":1}',
      headers: {
        'content-type': 'application/json',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-nonce': 'n-1',
        'webhook-signature': 'AAAA',
      },
    });
    expect(bad.status).toBe(401);
  });

  it('when `pixsim submit --wait` runs against the system, then it prints the job id, the progress and the video URL', async () => {
    const sys = system();
    const bin = fileURLToPath(new URL('../../libs/cli/bin/pixsim.js', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        bin,
        'submit',
        'a kite over the dunes',
        '--wait',
        '--url',
        sys.gatewayUrl!,
        '--token',
        sys.adminToken,
        '--timeout',
        '60',
      ],
      { timeout: 90_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^[0-9A-Z]{26}$/);
    expect(stdout).toMatch(/PENDING|PROCESSING/);
    expect(stdout).toMatch(/COMPLETED in [\d.]+s\nhttps:\/\/\S+\.mp4/);
  });
});
