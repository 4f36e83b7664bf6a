import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CredentialError } from './errors.js';

/** Environment variable names, for messages that tell the operator what to change. */
export const PUBLIC_KEY_ENV = 'PIXSIM_SEALING_PUBLIC_KEY';
export const PRIVATE_KEYS_ENV = 'PIXSIM_SEALING_PRIVATE_KEYS';
export const LEGACY_KEY_ENV = 'PIXSIM_SECRET_KEY';

/** The key that seals: what the gateway holds. It cannot open anything. */
export interface SealingKey {
  readonly kid: string;
  readonly key: KeyObject;
  /** Raw 32 bytes, bound into every seal's key derivation. */
  readonly raw: Buffer;
}

/** Private keys that open, first = current; what the dispatcher and the poller hold. */
export interface OpeningKeyring {
  readonly current: SealingKey;
  readonly keys: ReadonlyMap<string, { key: KeyObject; raw: Buffer }>;
}

/** Symmetric keys of the older form (PIXSIM_SECRET_KEY): open only, never seal. */
export interface LegacyKeyring {
  readonly keys: ReadonlyMap<string, Buffer>;
}

// DER prefixes of X25519 keys: SPKI for a public key, PKCS#8 for a private one; the raw 32 bytes follow.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const KID = /^[A-Za-z0-9_.-]{1,64}$/;

export function x25519PublicKey(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
}

function x25519PrivateKey(raw: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** `kid:base64` pairs; a bare value is one key with kid "k1". */
function entries(spec: string, env: string): Array<[kid: string, key: Buffer]> {
  const parts = spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new CredentialError('SECRET_KEY_INVALID', `${env} is empty`);
  return parts.map((part) => {
    const at = part.indexOf(':');
    const [kid, b64] = at < 0 ? ['k1', part] : [part.slice(0, at), part.slice(at + 1)];
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32 || !KID.test(kid)) {
      throw new CredentialError(
        'SECRET_KEY_INVALID',
        `${env}: key ${JSON.stringify(kid)} must be 32 bytes in base64 (npm run keys:generate -w @pixsim/credentials)`,
      );
    }
    return [kid, key];
  });
}

/** PIXSIM_SEALING_PUBLIC_KEY: `kid:base64` of one raw X25519 public key. */
export function parsePublicKey(spec: string): SealingKey {
  const all = entries(spec, PUBLIC_KEY_ENV);
  if (all.length !== 1) {
    throw new CredentialError('SECRET_KEY_INVALID', `${PUBLIC_KEY_ENV} holds one key, the current one`);
  }
  const [kid, raw] = all[0]!;
  try {
    return { kid, key: x25519PublicKey(raw), raw };
  } catch {
    throw new CredentialError('SECRET_KEY_INVALID', `${PUBLIC_KEY_ENV}: key "${kid}" is not an X25519 public key`);
  }
}

/** PIXSIM_SEALING_PRIVATE_KEYS: `kid:base64,…` of raw X25519 private keys; the first is current. */
export function parsePrivateKeys(spec: string): OpeningKeyring {
  const keys = new Map<string, { key: KeyObject; raw: Buffer }>();
  for (const [kid, raw] of entries(spec, PRIVATE_KEYS_ENV)) {
    if (keys.has(kid))
      throw new CredentialError('SECRET_KEY_INVALID', `${PRIVATE_KEYS_ENV}: key "${kid}" is listed twice`);
    let key: KeyObject;
    try {
      key = x25519PrivateKey(raw);
    } catch {
      throw new CredentialError('SECRET_KEY_INVALID', `${PRIVATE_KEYS_ENV}: key "${kid}" is not an X25519 private key`);
    }
    keys.set(kid, { key, raw: rawPublicKey(createPublicKey(key)) });
  }
  const [kid, first] = [...keys][0]!;
  return { current: { kid, key: createPublicKey(first.key), raw: first.raw }, keys };
}

/** PIXSIM_SECRET_KEY of the older symmetric form: `kid:base64,…` or one bare key (k1). */
export function parseLegacyKeys(spec: string): LegacyKeyring {
  return { keys: new Map(entries(spec, LEGACY_KEY_ENV)) };
}

export interface GeneratedKeyPair {
  kid: string;
  /** For PIXSIM_SEALING_PUBLIC_KEY: `kid:base64`. */
  publicKey: string;
  /** For PIXSIM_SEALING_PRIVATE_KEYS: `kid:base64`. */
  privateKey: string;
}

export function generateSealingKeyPair(kid = 'k1'): GeneratedKeyPair {
  if (!KID.test(kid))
    throw new CredentialError('SECRET_KEY_INVALID', `key id ${JSON.stringify(kid)}: letters, digits, "_", "." or "-"`);
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  const priv = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  return {
    kid,
    publicKey: `${kid}:${rawPublicKey(publicKey).toString('base64')}`,
    privateKey: `${kid}:${priv.toString('base64')}`,
  };
}

/** The public key (`kid:base64`) of the current private key: what the gateway gets. */
export function publicKeyOf(ring: OpeningKeyring): string {
  return `${ring.current.kid}:${ring.current.raw.toString('base64')}`;
}
