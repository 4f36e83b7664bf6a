import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Principal } from './principal.js';

const ADMIN: Principal = Object.freeze({
  userId: 'admin',
  role: 'admin',
  credential: { kind: 'admin_token' as const },
});

/**
 * PIXSIM_ADMIN_TOKEN as an admin bearer token (api-contract "Auth"). Both sides
 * are hashed first so the comparison takes the same time whatever the length
 * or the first wrong byte of the guess.
 */
export function adminTokenAuthenticator(adminToken: string): Authenticator {
  const expected = digest(adminToken);
  return async (token) => (timingSafeEqual(digest(token), expected) ? ADMIN : null);
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
