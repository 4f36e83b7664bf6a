import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServiceName } from '@pixsim/contracts';
import { useTestSystem } from '../harness/system.js';
import { metric, submitJob } from './helpers.js';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
/** The services that hold PIXSIM_SECRET_KEY: the gateway seals, the dispatcher and the poller open. */
const KEY_HOLDERS: ServiceName[] = ['gateway', 'dispatcher', 'poller'];

describe('PIXSIM_SECRET_KEY rotation, end to end', () => {
  // A bare key, as `npm start` generates and the README's first recipe sets: its key id is k1.
  const system = useTestSystem({ secretKey: oldKey, simulator: { latencyMs: 300 } });

  it('when a new key is put first, the services re-seal what they store and the old key is then dropped, then running and new jobs still complete', async () => {
    const sys = system();
    // All three at once, as a deployment's rollout of one changed secret would.
    const restartWith = (secretKey: string) =>
      Promise.all(
        KEY_HOLDERS.map(async (name) => {
          await sys.kill(name, 'SIGTERM', { restart: false });
          await sys.start(name, { env: { PIXSIM_SECRET_KEY: secretKey } });
        }),
      );
    const before = await submitJob(sys, 'a lighthouse at dawn');
    expect(await sys.waitForJob(before, undefined, 30_000)).toMatchObject({ status: 'COMPLETED' });
    // Still generating through the whole rotation: the poller holds its credential sealed under k1.
    const running = await submitJob(sys, 'a slow tide [sim:delay=30000]');
    await sys.waitForJob(running, (j) => j.status === 'PROCESSING', 20_000);

    await restartWith(`k2:${newKey},k1:${oldKey}`);
    // The re-seal below must find the generation still polling (30 s leaves room on a loaded machine).
    expect((await sys.api('GET', `/api/v1/jobs/${running}`)).body.status).toBe('PROCESSING');
    // Each service's first pass runs a few seconds after its start.
    for (const name of ['dispatcher', 'poller'] as const) {
      await expect
        .poll(
          async () => {
            const text = await (await fetch(`http://127.0.0.1:${sys.ports[name]}/metrics`)).text();
            return /^pixsim_credentials_old_key(?:\{[^}]*\})? 0$/m.test(text);
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(true);
    }
    expect(sys.logs().join('\n')).toMatch(/re-sealed 1 provider account keys under key "k2"/);
    expect(sys.logs().join('\n')).toMatch(/re-sealed 1 polling generations under key "k2"/);

    await restartWith(`k2:${newKey}`);
    const after = await submitJob(sys, 'a heron in the reeds');
    expect(await sys.waitForJob(after, undefined, 30_000)).toMatchObject({ status: 'COMPLETED' });
    expect(await sys.waitForJob(running, undefined, 60_000)).toMatchObject({ status: 'COMPLETED' });
    expect(await metric(sys, 'poller', 'pixsim_poll_errors_total')).toBe(0);
  });
});
