import {
  createCipheriv,
  createDecipheriv,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import type { SealedSecret } from '@pixsim/contracts';
import { CredentialError } from './errors.js';
import {
  LEGACY_KEY_ENV,
  PRIVATE_KEYS_ENV,
  rawPublicKey,
  x25519PublicKey,
  type LegacyKeyring,
  type OpeningKeyring,
  type SealingKey,
} from './keys.js';

export const SEAL_ALG = 'X25519-HKDF-A256GCM';
const LEGACY_ALG = 'A256GCM';
const TAG_BYTES = 16;
const IV_BYTES = 12;

/** What opens credentials: the private keys, and the older symmetric keys while values sealed under them remain. */
export interface Opener {
  readonly ring: OpeningKeyring;
  readonly legacy?: LegacyKeyring;
}

/**
 * Seals `plaintext` (a provider API key) to the public key, for one account: an
 * ephemeral X25519 key per seal, HKDF-SHA256 over the shared secret, AES-256-GCM
 * with the key id and the account id as associated data, so a sealed value moved
 * to another account does not open. Whoever holds only the public key cannot open it.
 */
export function sealCredential(to: SealingKey, accountId: string, plaintext: string): SealedSecret {
  const eph = generateKeyPairSync('x25519');
  const epk = rawPublicKey(eph.publicKey);
  const key = deriveKey(diffieHellman({ privateKey: eph.privateKey, publicKey: to.key }), epk, to.raw, to.kid);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(to.kid, accountId));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: SEAL_ALG,
    kid: to.kid,
    epk: epk.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

/**
 * Opens a sealed credential of `accountId`; SECRET_KEY_UNKNOWN or SECRET_UNREADABLE (tampered, truncated,
 * other account).
 */
export function openCredential(opener: Opener, accountId: string, sealed: SealedSecret): string {
  if (sealed.alg === LEGACY_ALG) return openLegacy(opener.legacy, sealed);
  if (sealed.alg !== SEAL_ALG) throw unreadable(sealed);
  const mine = opener.ring.keys.get(sealed.kid);
  if (!mine) {
    throw new CredentialError(
      'SECRET_KEY_UNKNOWN',
      `no key "${sealed.kid}" in ${PRIVATE_KEYS_ENV}; add it back to read this credential`,
    );
  }
  try {
    const epk = strict(sealed.epk, 32);
    const iv = strict(sealed.iv, IV_BYTES);
    const tag = strict(sealed.tag, TAG_BYTES);
    const key = deriveKey(
      diffieHellman({ privateKey: mine.key, publicKey: x25519PublicKey(epk) }),
      epk,
      mine.raw,
      sealed.kid,
    );
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(sealed.kid, accountId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw unreadable(sealed);
  }
}

/** Whether a sealed value should be sealed again under the current public key. */
export const needsReseal = (ring: OpeningKeyring, sealed: SealedSecret): boolean =>
  sealed.alg !== SEAL_ALG || sealed.kid !== ring.current.kid;

function deriveKey(shared: Buffer, epk: Buffer, recipient: Buffer, kid: string): Buffer {
  // An all-zero shared secret means a low-order public key: refuse rather than derive from nothing.
  if (shared.every((b) => b === 0)) throw new Error('degenerate X25519 shared secret');
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([epk, recipient]), `pixsim credential v1 ${kid}`, 32));
}

const aad = (kid: string, accountId: string): Buffer => Buffer.from(`pixsim credential v1\0${kid}\0${accountId}`);

/** Base64 of exactly `bytes` bytes: a truncated tag or nonce is refused, not padded or accepted. */
function strict(b64: string | undefined, bytes: number): Buffer {
  const buf = Buffer.from(b64 ?? '', 'base64');
  if (buf.length !== bytes) throw new Error(`expected ${bytes} bytes`);
  return buf;
}

function unreadable(sealed: SealedSecret): CredentialError {
  return new CredentialError(
    'SECRET_UNREADABLE',
    `credential sealed under "${sealed.kid}" does not open: wrong key, another account, or tampered data`,
  );
}

/** The older symmetric form: AES-256-GCM under a PIXSIM_SECRET_KEY key, the kid as associated data. */
function openLegacy(legacy: LegacyKeyring | undefined, sealed: SealedSecret): string {
  const key = legacy?.keys.get(sealed.kid);
  if (!key) {
    throw new CredentialError(
      'SECRET_KEY_UNKNOWN',
      `credential sealed under the symmetric key "${sealed.kid}": set ${LEGACY_KEY_ENV} with it here until it is ` +
        `re-sealed`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, strict(sealed.iv, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(sealed.kid));
    decipher.setAuthTag(strict(sealed.tag, TAG_BYTES));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw unreadable(sealed);
  }
}

/** Seals in the older symmetric form; only for tests and migration tooling, never by a service. */
export function sealLegacyForTests(legacy: LegacyKeyring, kid: string, plaintext: string): SealedSecret {
  const key = legacy.keys.get(kid);
  if (!key) throw new CredentialError('SECRET_KEY_UNKNOWN', `no legacy key "${kid}"`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    alg: LEGACY_ALG,
    kid,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}
