import { createHash } from 'node:crypto';

/**
 * Stats and logs never show an API key: they name an account by its first 4 characters,
 * an ellipsis and the first 8 hex digits of the key's SHA-256 (`sk-a…1f2e3d4c`), stable
 * across runs so tests can compute it with `keyId(apiKey)`.
 */
export function keyId(apiKey: string): string {
  const digest = createHash('sha256').update(apiKey).digest('hex').slice(0, 8);
  return `${apiKey.slice(0, 4)}…${digest}`;
}
