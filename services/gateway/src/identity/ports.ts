import type { Role } from '../auth/principal.js';
import type { PageCursor } from '../http/pagination.js';
import type { QuotaKey, QuotaOverrides } from '../quota/quota.js';

export interface UserRecord {
  _id: string;
  email: string;
  /** Lower-cased email: the unique key, so Ann@x and ann@x are one account. */
  email_lower: string;
  password_hash: string;
  role: Role;
  created_at: Date;
  /** An operator locked the user out: every session and API key answers 401, login too. */
  disabled?: boolean;
  /** Per-user quota overrides (absent keys take the operator's defaults). */
  quota_overrides?: QuotaOverrides;
  /** Which callback signing secret is current, and the one before it while its grace lasts. */
  callback_secret?: CallbackSecretState;
}

export interface CallbackSecretState {
  version: number;
  previous_version: number | null;
  previous_valid_until: Date | null;
}

interface UserChanges {
  disabled?: boolean;
  role?: Role;
  /** null puts a key back to the default. */
  quota?: Partial<Record<QuotaKey, number | null>>;
  password_hash?: string;
  callback_secret?: CallbackSecretState;
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
  /** Applies the changes and returns the user as it is now; null when unknown. */
  update(userId: string, changes: UserChanges): Promise<UserRecord | null>;
  /** Newest first, limit + 1 rows; `q` matches an email prefix (case-insensitive) or an id. */
  list(query: { q?: string; limit: number; after?: PageCursor }): Promise<UserRecord[]>;
  /** Whether any user has the admin role (then the bootstrap token is optional). */
  hasAdmin(): Promise<boolean>;
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
