import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep } from '@pixsim/testkit';
import { verifyCallback } from '../../services/gateway/src/callbacks/callback-signature.js';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

const secret = 'callback-e2e-secret-0123456789';

/** The client's own endpoint: what it received, and a 503 for the first POST so a retry is seen end to end. */
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString();
  });
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(received.length === 1 ? 503 : 204).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pixsim`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('callbacks to the client, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 300, accounts: [{ apiKey: 'sim-key-callbacks', credits: 1_000_000, maxConcurrent: 5 }] },
    // Loopback receivers are for development only; a short first retry keeps the test short.
    serviceEnv: {
      gateway: { CALLBACK_SECRET: secret, CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_FIRST_RETRY_MS: '300' },
    },
  });

  it('when a job with a callback_url ends, then the client gets one signed POST of its final view (retried after a 503), with the asset', async () => {
    const sys = system();
    const done = await submitJob(sys, 'a lighthouse at dusk', {}, { callback_url: hook });
    const failed = await submitJob(sys, 'a storm [sim:moderate]', {}, { callback_url: hook });
    // Two jobs, and the first POST answered 503: three POSTs in all once the retry came.
    await expect.poll(() => received.length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    await sleep(1_500); // nothing more may come
    expect(received).toHaveLength(3);

    const byJob = (id: string) => received.filter((r) => r.headers['x-pixsim-delivery'] === id);
    const attempts = [...byJob(done), ...byJob(failed)].map((r) => r.headers['x-pixsim-attempt']);
    expect(attempts.sort()).toEqual(['1', '1', '2']); // the first POST got a 503 and was sent again, once
    // Each owner's callbacks are signed with their own secret, derived from CALLBACK_SECRET (here the admin token's).
    const own = (await sys.api('GET', '/api/v1/users/me/callback-secret')).body.secret as string;
    expect(own).toMatch(/^whsec_/);
    for (const r of received) {
      expect(
        verifyCallback(secret, r.body, String(r.headers['x-pixsim-signature']), Math.floor(Date.now() / 1000)),
      ).toBe(false);
      expect(verifyCallback(own, r.body, String(r.headers['x-pixsim-signature']), Math.floor(Date.now() / 1000))).toBe(
        true,
      );
    }
    const completed = JSON.parse(byJob(done).at(-1)!.body);
    expect(completed).toMatchObject({
      event: 'job.completed',
      delivery_id: done,
      job: { id: done, status: 'COMPLETED', callback_url: hook },
      asset: { job_id: done, remote_url: expect.stringMatching(/^https:\/\//) },
    });
    expect(completed.job.asset_id).toBe(completed.asset.id);
    expect(JSON.parse(byJob(failed).at(-1)!.body)).toMatchObject({
      event: 'job.failed',
      job: { id: failed, status: 'FAILED', error_code: 'PROVIDER_MODERATION' },
      asset: null,
    });
  });
});
