import type { Role } from '../auth/principal.js';

export interface UserRecord {
  _id: string;
  email: string;
  /** Lower-cased email: the unique key, so Ann@x and ann@x are one account. */
  email_lower: string;
  password_hash: string;
  role: Role;
  created_at: Date;
}

export interface SessionRecord {
  _id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface ApiKeyRecord {
  _id: string;
  user_id: string;
  name: string;
  /** SHA-256 (hex) of the key; the key itself is shown once and never stored. */
  key_hash: string;
  /** The first characters, so a user can tell their keys apart. */
  prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface UserStore {
  /** False when the (lower-cased) email is taken: the unique index decides. */
  insert(user: UserRecord): Promise<boolean>;
  get(userId: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  setRole(userId: string, role: Role): Promise<UserRecord | null>;
}

export interface SessionStore {
  insert(session: SessionRecord): Promise<void>;
  /** The session when it exists, is not revoked and has not expired at `now`. */
  findLive(sessionId: string, now: Date): Promise<SessionRecord | null>;
  revoke(sessionId: string, now: Date): Promise<void>;
}

export interface ApiKeyStore {
  insert(key: ApiKeyRecord): Promise<void>;
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  listActive(userId: string): Promise<ApiKeyRecord[]>;
  /** True when the user's active key was revoked now; false when unknown, someone else's, or already revoked. */
  revoke(userId: string, keyId: string, now: Date): Promise<boolean>;
}

export interface IdentityStores {
  users: UserStore;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
}
