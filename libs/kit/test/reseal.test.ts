import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { SealedSecret } from '@pixsim/contracts';
import { createResealer, openSecret, parseKeyring, sealSecret, type ResealPort } from '../src/index.js';
import { memoryLogger } from './helpers.js';

const key = () => randomBytes(32).toString('base64');

/** An in-memory store of sealed credentials (the real stores are tested through the services). */
function memoryPort(initial: Record<string, SealedSecret>): ResealPort & { docs: Map<string, SealedSecret> } {
  const docs = new Map(Object.entries(initial));
  return {
    docs,
    async *sealedUnderOtherKeys(kid) {
      for (const [id, credential] of docs) if (credential.kid !== kid) yield { id, credential };
    },
    async replaceCredential(id, was, next) {
      if (docs.get(id)?.iv !== was.iv) return false;
      docs.set(id, next);
      return true;
    },
  };
}

describe('createResealer', () => {
  const k1 = key();
  const k2 = key();
  const k3 = key();

  it('when a new key is first, then credentials under older keys are sealed under it, open to the same value, and the gauge says 0 are left', async () => {
    const before = parseKeyring(k1); // a bare key: kid k1
    const port = memoryPort({ a: sealSecret(before, 'api-key-a'), b: sealSecret(before, 'api-key-b') });
    const ring = parseKeyring(`k2:${k2},k1:${k1}`);
    const registry = new Registry();
    const resealer = createResealer({
      keyring: ring,
      port,
      logger: memoryLogger().logger,
      registry,
      holders: 'accounts',
    });
    expect(await registry.getSingleMetricAsString('pixsim_credentials_old_key').catch(() => 'absent')).toBe('absent');

    expect(await resealer.run()).toEqual({ resealed: 2, unreadable: 0, missingKids: [] });
    expect([...port.docs.values()].map((c) => c.kid)).toEqual(['k2', 'k2']);
    const after = parseKeyring(`k2:${k2}`);
    expect(openSecret(after, port.docs.get('a')!)).toBe('api-key-a');
    expect(openSecret(after, port.docs.get('b')!)).toBe('api-key-b');
    expect(await registry.getSingleMetricAsString('pixsim_credentials_old_key')).toMatch(
      /^pixsim_credentials_old_key 0$/m,
    );
    expect(await resealer.run()).toEqual({ resealed: 0, unreadable: 0, missingKids: [] });
  });

  it('when a credential is under a key the ring no longer has, then it is left alone, counted, and the warning names the key and what to do', async () => {
    const port = memoryPort({ lost: sealSecret(parseKeyring(`k3:${k3}`), 'x'), ok: sealSecret(parseKeyring(k1), 'y') });
    const { logger, records } = memoryLogger();
    const registry = new Registry();
    const report = await createResealer({
      keyring: parseKeyring(`k2:${k2},k1:${k1}`),
      port,
      logger,
      registry,
      holders: 'accounts',
    }).run();
    expect(report).toEqual({ resealed: 1, unreadable: 1, missingKids: ['k3'] });
    expect(port.docs.get('lost')!.kid).toBe('k3');
    expect(await registry.getSingleMetricAsString('pixsim_credentials_old_key')).toMatch(
      /^pixsim_credentials_old_key 1$/m,
    );
    const warning = records().find((r) => r.level === 40);
    expect(String(warning?.msg)).toMatch(
      /sealed under keys PIXSIM_SECRET_KEY does not have \(k3\): put the old key back/,
    );
  });

  it('when a credential changes between the read and the write, then the newer one is kept', async () => {
    const old = parseKeyring(k1);
    const port = memoryPort({ a: sealSecret(old, 'first') });
    const ring = parseKeyring(`k2:${k2},k1:${k1}`);
    const replace = port.replaceCredential.bind(port);
    port.replaceCredential = async (id, was, next) => {
      port.docs.set(id, sealSecret(ring, 'entered by an admin meanwhile'));
      return replace(id, was, next);
    };
    const report = await createResealer({
      keyring: ring,
      port,
      logger: memoryLogger().logger,
      holders: 'accounts',
    }).run();
    expect(report.resealed).toBe(0);
    expect(openSecret(ring, port.docs.get('a')!)).toBe('entered by an admin meanwhile');
  });
});
