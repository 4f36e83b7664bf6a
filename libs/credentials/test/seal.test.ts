import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SealedSecret } from '@pixsim/contracts';
import {
  createCredentialOpener,
  generateSealingKeyPair,
  needsReseal,
  openCredential,
  parseLegacyKeys,
  parsePrivateKeys,
  parsePublicKey,
  publicKeyOf,
  sealCredential,
  sealLegacyForTests,
} from '../src/index.js';

const pair = generateSealingKeyPair('k1');
const opener = { ring: parsePrivateKeys(pair.privateKey) };
const gateway = parsePublicKey(pair.publicKey);
const ACCOUNT = 'acc_0001';

/** Flips one bit of a base64 field. */
const flip = (b64: string, at = 0): string => {
  const buf = Buffer.from(b64, 'base64');
  buf[at % buf.length]! ^= 0x01;
  return buf.toString('base64');
};

describe('sealing to a public key', () => {
  it('when a credential is sealed with the public key only, then the private key opens it for the same account', () => {
    const sealed = sealCredential(gateway, ACCOUNT, 'pk-live-123456');
    expect(sealed).toMatchObject({ alg: 'X25519-HKDF-A256GCM', kid: 'k1' });
    expect(JSON.stringify(sealed)).not.toContain('pk-live-123456');
    expect(Buffer.from(sealed.tag, 'base64')).toHaveLength(16);
    expect(openCredential(opener, ACCOUNT, sealed)).toBe('pk-live-123456');
  });

  it('when the same key is sealed twice, then each seal has its own ephemeral key and nonce', () => {
    const a = sealCredential(gateway, ACCOUNT, 'same');
    const b = sealCredential(gateway, ACCOUNT, 'same');
    expect(a.epk).not.toBe(b.epk);
    expect(a.ct).not.toBe(b.ct);
  });

  it('when the tag, the ciphertext, the nonce or the ephemeral key is tampered with, then opening is refused', () => {
    const sealed = sealCredential(gateway, ACCOUNT, 'pk-live-123456');
    for (const tampered of [
      { ...sealed, tag: flip(sealed.tag) },
      { ...sealed, tag: flip(sealed.tag, 15) },
      { ...sealed, ct: flip(sealed.ct) },
      { ...sealed, iv: flip(sealed.iv) },
      { ...sealed, epk: flip(sealed.epk!) },
      { ...sealed, epk: undefined },
    ] as SealedSecret[]) {
      expect(() => openCredential(opener, ACCOUNT, tampered)).toThrow(
        expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
      );
    }
  });

  it('when the tag is truncated, then opening is refused even though GCM could check a shorter tag', () => {
    const sealed = sealCredential(gateway, ACCOUNT, 'pk-live-123456');
    const tag = Buffer.from(sealed.tag, 'base64');
    for (const bytes of [4, 8, 12, 15]) {
      expect(() =>
        openCredential(opener, ACCOUNT, { ...sealed, tag: tag.subarray(0, bytes).toString('base64') }),
      ).toThrow(/does not open/);
    }
  });

  it('when the sealed value is presented for another account, then opening is refused (the account id is associated data)', () => {
    const sealed = sealCredential(gateway, ACCOUNT, 'pk-live-123456');
    expect(() => openCredential(opener, 'acc_0002', sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });

  it('when the key id is changed to another key the service has, then opening is refused', () => {
    const other = generateSealingKeyPair('k2');
    const both = { ring: parsePrivateKeys(`${other.privateKey},${pair.privateKey}`) };
    const sealed = sealCredential(gateway, ACCOUNT, 'x');
    expect(openCredential(both, ACCOUNT, sealed)).toBe('x');
    expect(() => openCredential(both, ACCOUNT, { ...sealed, kid: 'k2' })).toThrow(/does not open/);
  });

  it('when the private key of a seal is not configured, then the error names the key and the variable to put it back in', () => {
    const sealed = sealCredential(parsePublicKey(generateSealingKeyPair('gone').publicKey), ACCOUNT, 'x');
    expect(() => openCredential(opener, ACCOUNT, sealed)).toThrow(
      expect.objectContaining({
        code: 'SECRET_KEY_UNKNOWN',
        message: expect.stringMatching(/no key "gone" in PIXSIM_SEALING_PRIVATE_KEYS/),
      }),
    );
  });

  it('when keys rotate, then the first private key is current and its public key is what the gateway is given', () => {
    const next = generateSealingKeyPair('k2');
    const ring = parsePrivateKeys(`${next.privateKey},${pair.privateKey}`);
    expect(ring.current.kid).toBe('k2');
    expect(publicKeyOf(ring)).toBe(next.publicKey);
    const old = sealCredential(gateway, ACCOUNT, 's3cret');
    expect(openCredential({ ring }, ACCOUNT, old)).toBe('s3cret');
    expect(needsReseal(ring, old)).toBe(true);
    expect(needsReseal(ring, sealCredential(ring.current, ACCOUNT, 'y'))).toBe(false);
  });

  it('when a key is malformed, then parsing names the variable and the key id but never the value', () => {
    expect(() => parsePublicKey('k1:c2hvcnQ=')).toThrow(/PIXSIM_SEALING_PUBLIC_KEY: key "k1" must be 32 bytes/);
    expect(() => parsePrivateKeys('')).toThrow(/PIXSIM_SEALING_PRIVATE_KEYS is empty/);
    expect(() => parsePublicKey(`${pair.publicKey},${pair.publicKey}`)).toThrow(/holds one key/);
    try {
      parsePrivateKeys('k1:c2VjcmV0LXZhbHVl');
    } catch (err) {
      expect((err as Error).message).not.toContain('c2VjcmV0LXZhbHVl');
    }
  });
});

describe('values sealed under the older symmetric key', () => {
  const legacy = parseLegacyKeys(randomBytes(32).toString('base64'));

  it('when the symmetric key is configured, then they open, and they are marked for re-sealing', () => {
    const sealed = sealLegacyForTests(legacy, 'k1', 'old-api-key');
    expect(openCredential({ ...opener, legacy }, ACCOUNT, sealed)).toBe('old-api-key');
    expect(needsReseal(opener.ring, sealed)).toBe(true);
  });

  it('when the symmetric key is not configured, then the error says to set PIXSIM_SECRET_KEY', () => {
    const sealed = sealLegacyForTests(legacy, 'k1', 'old-api-key');
    expect(() => openCredential(opener, ACCOUNT, sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_KEY_UNKNOWN', message: expect.stringMatching(/set PIXSIM_SECRET_KEY/) }),
    );
  });

  it('when their tag is truncated or their ciphertext tampered with, then opening is refused', () => {
    const sealed = sealLegacyForTests(legacy, 'k1', 'old-api-key');
    const short = Buffer.from(sealed.tag, 'base64').subarray(0, 12).toString('base64');
    expect(() => openCredential({ ...opener, legacy }, ACCOUNT, { ...sealed, tag: short })).toThrow(/does not open/);
    expect(() => openCredential({ ...opener, legacy }, ACCOUNT, { ...sealed, ct: flip(sealed.ct) })).toThrow(
      /does not open/,
    );
  });
});

describe('createCredentialOpener', () => {
  it('when the same sealed value is opened again within its time, then it is answered from memory; another account, a tampered value or an expired entry goes through opening', () => {
    let t = 0;
    const keys: { ring: ReturnType<typeof parsePrivateKeys> } = { ring: opener.ring };
    const cached = createCredentialOpener(keys, { max: 2, ttlMs: 1_000, now: () => t });
    const sealed = sealCredential(gateway, ACCOUNT, 'pk-live-123456');
    expect(cached.open(ACCOUNT, sealed)).toBe('pk-live-123456');
    // The keys no longer open it: only memory can answer.
    keys.ring = parsePrivateKeys(generateSealingKeyPair('k1').privateKey);
    expect(cached.open(ACCOUNT, sealed)).toBe('pk-live-123456');
    expect(() => cached.open('acc_0002', sealed)).toThrow(/does not open/);
    expect(() => cached.open(ACCOUNT, { ...sealed, tag: flip(sealed.tag) })).toThrow(/does not open/);
    t = 2_000;
    expect(() => cached.open(ACCOUNT, sealed)).toThrow(/does not open/);
  });
});
