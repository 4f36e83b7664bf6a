import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PixsimError, type SealedSecret } from '@pixsim/contracts';

/**
 * AES-256-GCM sealing of provider credentials (DESIGN §6). The keyring comes
 * from PIXSIM_SECRET_KEY: `kid:base64key[,kid:base64key…]`, the first key seals,
 * every key opens — so a key is rotated by putting the new one first, letting
 * the dispatcher and the poller re-seal what they store (reseal.ts), then
 * dropping the old one. A bare base64 key means one key with kid "k1".
 */
export interface Keyring {
  readonly currentKid: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class SecretError extends PixsimError {
  constructor(code: 'SECRET_KEY_INVALID' | 'SECRET_KEY_UNKNOWN' | 'SECRET_UNREADABLE', message: string) {
    super(code, message);
  }
}

export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let currentKid = '';
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [kid, b64] = part.includes(':') ? (part.split(':', 2) as [string, string]) : ['k1', part];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9_.-]{1,64}$/.test(kid)) {
      throw new SecretError(
        'SECRET_KEY_INVALID',
        `PIXSIM_SECRET_KEY: key ${JSON.stringify(kid)} must be 32 bytes in base64 (openssl rand -base64 32)`,
      );
    }
    keys.set(kid, key);
    currentKid ||= kid;
  }
  if (!currentKid) throw new SecretError('SECRET_KEY_INVALID', 'PIXSIM_SECRET_KEY is empty');
  return { currentKid, keys };
}

export function sealSecret(ring: Keyring, plaintext: string): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.keys.get(ring.currentKid)!, iv);
  cipher.setAAD(Buffer.from(ring.currentKid));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: 'A256GCM',
    kid: ring.currentKid,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

export function openSecret(ring: Keyring, sealed: SealedSecret): string {
  const key = ring.keys.get(sealed.kid);
  if (!key)
    throw new SecretError(
      'SECRET_KEY_UNKNOWN',
      `no key "${sealed.kid}" in PIXSIM_SECRET_KEY; add it back to read this credential`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(sealed.kid));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretError(
      'SECRET_UNREADABLE',
      `credential sealed under "${sealed.kid}" does not open: wrong key or tampered data`,
    );
  }
}

/** Whether a sealed value should be re-sealed under the current key. */
export const needsReseal = (ring: Keyring, sealed: SealedSecret): boolean => sealed.kid !== ring.currentKid;
