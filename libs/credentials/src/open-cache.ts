import type { SealedSecret } from '@pixsim/contracts';
import { openCredential, type Opener } from './seal.js';

export interface CredentialOpener {
  /** openCredential, answered from memory when this exact sealed value was opened lately. */
  open(accountId: string, sealed: SealedSecret): string;
}

/**
 * Opening costs an X25519 agreement, a key import and HKDF (a few hundred µs), and the
 * poller opens the same few sealed values (one per account, copied into every job) on
 * every poll. This keeps the last `max` opened values for `ttlMs`. It adds no exposure:
 * the process that holds the cache holds the private key that opens them anyway. Only a
 * value that opened is kept, keyed by everything its tag authenticates.
 */
export function createCredentialOpener(
  opener: Opener,
  opts: { max?: number; ttlMs?: number; now?: () => number } = {},
): CredentialOpener {
  const max = opts.max ?? 1_000;
  const ttlMs = opts.ttlMs ?? 10 * 60_000;
  const now = opts.now ?? Date.now;
  const opened = new Map<string, { plain: string; until: number }>();
  return {
    open(accountId, sealed) {
      const key = [accountId, sealed.alg, sealed.kid, sealed.epk ?? '', sealed.iv, sealed.tag, sealed.ct].join('\0');
      const hit = opened.get(key);
      if (hit && hit.until > now()) {
        // Most recently used last, so the oldest is first to go.
        opened.delete(key);
        opened.set(key, hit);
        return hit.plain;
      }
      const plain = openCredential(opener, accountId, sealed);
      opened.delete(key);
      opened.set(key, { plain, until: now() + ttlMs });
      if (opened.size > max) opened.delete(opened.keys().next().value!);
      return plain;
    },
  };
}
