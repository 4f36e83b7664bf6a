import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@pixsim/credentials';
import type { ServiceName } from '@pixsim/contracts';
import { useTestSystem } from '../harness/system.js';
import { metric, submitJob } from './helpers.js';

const k1 = generateSealingKeyPair('k1');
const k2 = generateSealingKeyPair('k2');
/** The services that open credentials: only they hold the private keys. */
const OPENERS: ServiceName[] = ['dispatcher', 'poller'];
const SIM_KEY = 'sim-sealing-e2e-key';

/** A process's environment as the kernel has it (what it was started with). */
async function environOf(pid: number): Promise<Record<string, string>> {
  const raw = await readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(
    raw
      .split('\0')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

describe('provider keys sealed to a public key, end to end', () => {
  const system = useTestSystem({
    sealingPrivateKeys: k1.privateKey,
    seedAccount: false,
    simulator: { latencyMs: 300, accounts: [{ apiKey: SIM_KEY, credits: 100_000, maxConcurrent: 5 }] },
  });

  it('when the gateway holds only the public key, it adds an account and its jobs complete; after a rotation to a new key pair the old private key can be dropped', async () => {
    const sys = system();
    const gatewayEnv = await environOf(sys.processes.gateway!.pid!);
    expect(gatewayEnv.PIXSIM_SEALING_PUBLIC_KEY).toBe(k1.publicKey);
    expect(gatewayEnv.PIXSIM_SEALING_PRIVATE_KEYS).toBeUndefined();
    expect(gatewayEnv.PIXSIM_SECRET_KEY).toBeUndefined();
    expect(Object.values(gatewayEnv).join('\n')).not.toContain(k1.privateKey.slice(3));

    // Two slots: the long generation below holds one through the rotation, the last job takes the other.
    const created = await sys.api('POST', '/api/v1/accounts', {
      provider_id: 'pixverse',
      api_key: SIM_KEY,
      max_concurrent_jobs: 2,
    });
    expect(created.status).toBe(201);
    // The dispatcher opens the key to read the balance: credits arriving in the view prove it opened.
    await expect
      .poll(async () => (await sys.api('GET', `/api/v1/accounts/${created.body.id}`)).body.credits, {
        timeout: 30_000,
        interval: 250,
      })
      .toBeGreaterThan(0);
    const before = await submitJob(sys, 'a lighthouse at dawn');
    expect(await sys.waitForJob(before, undefined, 30_000)).toMatchObject({ status: 'COMPLETED' });

    // Still generating through the whole rotation: the poller holds its credential sealed under k1.
    const running = await submitJob(sys, 'a slow tide [sim:delay=60000]');
    await sys.waitForJob(running, (j) => j.status === 'PROCESSING', 20_000);

    // A new pair: the dispatcher and the poller get the new private key first, the gateway its public key.
    const restart = (name: ServiceName, env: Record<string, string>) =>
      sys.kill(name, 'SIGTERM', { restart: false }).then(() => sys.start(name, { env }));
    await Promise.all([
      ...OPENERS.map((n) => restart(n, { PIXSIM_SEALING_PRIVATE_KEYS: `${k2.privateKey},${k1.privateKey}` })),
      restart('gateway', { PIXSIM_SEALING_PUBLIC_KEY: k2.publicKey }),
    ]);
    expect((await sys.api('GET', `/api/v1/jobs/${running}`)).body.status).toBe('PROCESSING');
    for (const name of OPENERS) {
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

    await Promise.all(OPENERS.map((n) => restart(n, { PIXSIM_SEALING_PRIVATE_KEYS: k2.privateKey })));
    const after = await submitJob(sys, 'a heron in the reeds');
    expect(await sys.waitForJob(after, undefined, 30_000)).toMatchObject({ status: 'COMPLETED' });
    expect(await sys.waitForJob(running, undefined, 120_000)).toMatchObject({ status: 'COMPLETED' });
    expect(await metric(sys, 'poller', 'pixsim_poll_errors_total')).toBe(0);
    // No key ever travelled or was logged in clear.
    expect(sys.logs().join('\n')).not.toContain(SIM_KEY);
  });
});
