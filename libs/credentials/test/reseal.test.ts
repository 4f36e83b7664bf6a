import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { SealedSecret } from '@pixsim/contracts';
import {
  createResealer,
  generateSealingKeyPair,
  openCredential,
  parseLegacyKeys,
  parsePrivateKeys,
  parsePublicKey,
  sealCredential,
  sealLegacyForTests,
  type ResealPort,
} from '../src/index.js';

function memoryLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** An in-memory store of sealed credentials, one per account (the real stores are tested through the services). */
function memoryPort(initial: Record<string, SealedSecret>): ResealPort & { docs: Map<string, SealedSecret> } {
  const docs = new Map(Object.entries(initial));
  return {
    docs,
    async *sealedUnderOtherKeys(current) {
      for (const [id, credential] of docs)
        if (credential.kid !== current.kid || credential.alg !== current.alg) yield { id, accountId: id, credential };
    },
    async replaceCredential(id, was, next) {
      if (docs.get(id)?.iv !== was.iv) return false;
      docs.set(id, next);
      return true;
    },
  };
}

describe('createResealer', () => {
  const k1 = generateSealingKeyPair('k1');
  const k2 = generateSealingKeyPair('k2');
  const k3 = generateSealingKeyPair('k3');
  const legacy = parseLegacyKeys(randomBytes(32).toString('base64'));

  it('when a new key is put first, then values under the old key and of the older symmetric form are sealed to the new one, and the gauge says 0', async () => {
    const port = memoryPort({
      a: sealCredential(parsePublicKey(k1.publicKey), 'a', 'api-key-a'),
      b: sealLegacyForTests(legacy, 'k1', 'api-key-b'),
    });
    const registry = new Registry();
    const resealer = createResealer({
      opener: { ring: parsePrivateKeys(`${k2.privateKey},${k1.privateKey}`), legacy },
      port,
      logger: memoryLogger().logger,
      registry,
      holders: 'accounts',
    });
    expect(await resealer.run()).toEqual({ resealed: 2, unreadable: 0, missingKids: [] });
    const after = { ring: parsePrivateKeys(k2.privateKey) };
    expect(openCredential(after, 'a', port.docs.get('a')!)).toBe('api-key-a');
    expect(openCredential(after, 'b', port.docs.get('b')!)).toBe('api-key-b');
    expect(await registry.getSingleMetricAsString('pixsim_credentials_old_key')).toMatch(
      /^pixsim_credentials_old_key 0$/m,
    );
    expect(await resealer.run()).toEqual({ resealed: 0, unreadable: 0, missingKids: [] });
  });

  it('when a credential is under a key the service no longer has, then it is left alone, counted, and the warning names the key', async () => {
    const port = memoryPort({
      lost: sealCredential(parsePublicKey(k3.publicKey), 'lost', 'x'),
      ok: sealCredential(parsePublicKey(k1.publicKey), 'ok', 'y'),
    });
    const { logger, records } = memoryLogger();
    const registry = new Registry();
    const report = await createResealer({
      opener: { ring: parsePrivateKeys(`${k2.privateKey},${k1.privateKey}`) },
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
    expect(String(warning?.msg)).toMatch(/sealed under keys this service does not have \(k3\): put the old key back/);
  });

  it('when a credential changes between the read and the write, then the newer one is kept', async () => {
    const ring = parsePrivateKeys(`${k2.privateKey},${k1.privateKey}`);
    const port = memoryPort({ a: sealCredential(parsePublicKey(k1.publicKey), 'a', 'first') });
    const replace = port.replaceCredential.bind(port);
    port.replaceCredential = async (id, was, next) => {
      port.docs.set(id, sealCredential(ring.current, 'a', 'entered by an admin meanwhile'));
      return replace(id, was, next);
    };
    const report = await createResealer({
      opener: { ring },
      port,
      logger: memoryLogger().logger,
      holders: 'accounts',
    }).run();
    expect(report.resealed).toBe(0);
    expect(openCredential({ ring }, 'a', port.docs.get('a')!)).toBe('entered by an admin meanwhile');
  });
});
