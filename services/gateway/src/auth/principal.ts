/** Who is calling. The admin token, sessions and API keys all resolve to this shape. */
export type Role = 'user' | 'admin';
export const ROLES = ['user', 'admin'] as const;

/** How the caller proved who they are: logout needs a session; keys need a user account. */
type Credential =
  | { kind: 'admin_token' }
  | { kind: 'session'; sessionId: string }
  | { kind: 'api_key'; apiKeyId: string };

export interface Principal {
  userId: string;
  role: Role;
  /** The user's quota overrides, read with the user on each request (absent: the defaults). */
  quota?: import('../quota/quota.js').QuotaOverrides;
  /** Absent only in tests that build principals by hand. */
  credential?: Credential;
}

/**
 * Resolves a bearer token to a principal, or null when this authenticator does
 * not know the token. The hook asks each in turn, so sessions and API keys slot
 * in beside the admin token without touching the routes.
 */
export type Authenticator = (token: string) => Promise<Principal | null>;
