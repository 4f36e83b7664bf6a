import { hash } from 'node:crypto';
import type { Clock } from '../ports.js';
import type { AccessTokens } from '../identity/access-tokens.js';
import type { ApiKeyStore, SessionStore, UserStore } from '../identity/ports.js';
import type { Authenticator } from './principal.js';

export const API_KEY_PREFIX = 'psk_';

export const hashApiKey = (key: string): string => hash('sha256', key, 'hex');

/**
 * A session's JWT. The signature and expiry are checked first (no I/O for a
 * forged or stale token); then the session must be live in the database, so a
 * logout takes effect on the next request on every replica. The role comes
 * from the user, so a promotion, a deleted or a disabled user counts at once too,
 * on every replica: the user is read from MongoDB on every request (no cache),
 * so the bound on "disabled takes effect" is the next request.
 */
export function sessionAuthenticator(deps: {
  tokens: AccessTokens;
  sessions: SessionStore;
  users: UserStore;
  clock: Clock;
}): Authenticator {
  return async (token) => {
    if (token.startsWith(API_KEY_PREFIX) || token.split('.').length !== 3) return null;
    const claims = await deps.tokens.verify(token);
    if (!claims) return null;
    const session = await deps.sessions.findLive(claims.sessionId, deps.clock());
    if (!session || session.user_id !== claims.userId) return null;
    const user = await deps.users.get(claims.userId);
    if (!user || user.disabled) return null;
    return {
      userId: user._id,
      role: user.role,
      quota: user.quota_overrides,
      credential: { kind: 'session', sessionId: session._id },
    };
  };
}

/** `psk_…` keys, looked up by their SHA-256 (a key is high-entropy, so no slow hash is needed). */
export function apiKeyAuthenticator(deps: { apiKeys: ApiKeyStore; users: UserStore }): Authenticator {
  return async (token) => {
    if (!token.startsWith(API_KEY_PREFIX) || token.length > 256) return null;
    const key = await deps.apiKeys.findActiveByHash(hashApiKey(token));
    if (!key) return null;
    const user = await deps.users.get(key.user_id);
    if (!user || user.disabled) return null;
    return {
      userId: user._id,
      role: user.role,
      quota: user.quota_overrides,
      credential: { kind: 'api_key', apiKeyId: key._id },
    };
  };
}
