import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's minimum for scrypt: N=2^17, r=8, p=1 (128 MiB per derivation, so
 * `maxmem` is set above it). The cost is stored with each hash; a hash made
 * with less is redone at the next successful login (`needsRehash`).
 */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 131_072, r: 8, p: 1 };
const KEY_LEN = 64;

const derive = (password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const opts: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
    scrypt(password.normalize('NFKC'), salt, KEY_LEN, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a malformed stored hash; takes as long either way. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Burns one derivation, so "no such user" takes as long as "wrong password". */
  waste(password: string): Promise<void>;
  /** Whether a stored hash was made with less than the current cost (then it is redone at login). */
  needsRehash(stored: string): boolean;
}

/**
 * Salted scrypt, parameters stored with the hash (`scrypt$N$r$p$salt$key`), so
 * raising the cost later keeps old hashes verifiable. Comparison is constant-time.
 */
export function createPasswordHasher(cost: ScryptCost = DEFAULT_SCRYPT_COST): PasswordHasher {
  const dummySalt = randomBytes(16);
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, cost);
      return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
    },
    async verify(password, stored) {
      const parts = stored.split('$');
      const [alg, n, r, p, salt, key] = parts;
      if (parts.length !== 6 || alg !== 'scrypt') return false;
      const expected = Buffer.from(key!, 'base64');
      const got = await derive(password, Buffer.from(salt!, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
      return expected.length === got.length && timingSafeEqual(expected, got);
    },
    async waste(password) {
      await derive(password, dummySalt, cost);
    },
    needsRehash(stored) {
      const [alg, n, r, p] = stored.split('$');
      return alg !== 'scrypt' || Number(n) < cost.N || Number(r) < cost.r || Number(p) < cost.p;
    },
  };
}
