/** Who is calling. Users and API keys (later) resolve to the same shape. */
export type Role = 'user' | 'admin';

export interface Principal {
  userId: string;
  role: Role;
}

/**
 * Resolves a bearer token to a principal, or null when this authenticator does
 * not know the token. The hook asks each in turn, so sessions and API keys slot
 * in beside the admin token without touching the routes.
 */
export type Authenticator = (token: string) => Promise<Principal | null>;
