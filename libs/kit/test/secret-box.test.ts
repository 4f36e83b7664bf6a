import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { needsReseal, openSecret, parseKeyring, sealSecret } from '../src/index.js';

const key = () => randomBytes(32).toString('base64');

describe('secret box', () => {
  it('when a credential is sealed, then it opens to the same text and the ciphertext does not contain it', () => {
    const ring = parseKeyring(key());
    const sealed = sealSecret(ring, 'pk-live-123456');
    expect(JSON.stringify(sealed)).not.toContain('pk-live');
    expect(openSecret(ring, sealed)).toBe('pk-live-123456');
  });

  it('when the key is rotated, then old secrets still open and report that they need re-sealing', () => {
    const oldKey = key();
    const sealed = sealSecret(parseKeyring(`old:${oldKey}`), 's3cret');
    const rotated = parseKeyring(`new:${key()},old:${oldKey}`);
    expect(openSecret(rotated, sealed)).toBe('s3cret');
    expect(needsReseal(rotated, sealed)).toBe(true);
    expect(needsReseal(rotated, sealSecret(rotated, 'x'))).toBe(false);
  });

  it('when the data is tampered with or the key is missing, then opening fails with a named error', () => {
    const ring = parseKeyring(key());
    const sealed = sealSecret(ring, 'abc');
    expect(() => openSecret(ring, { ...sealed, ct: Buffer.from('xyz').toString('base64') })).toThrow(/tampered/);
    expect(() => openSecret(parseKeyring(key()), { ...sealed, kid: 'gone' })).toThrow(/no key "gone"/);
  });

  it('when the key is not 32 bytes of base64, then parsing says how to make one', () => {
    expect(() => parseKeyring('short')).toThrow(/openssl rand -base64 32/);
  });
});
