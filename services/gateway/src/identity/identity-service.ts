import { randomBytes } from 'node:crypto';
import type { Principal, Role } from '../auth/principal.js';
import { API_KEY_PREFIX, hashApiKey } from '../auth/user-authenticators.js';
import { ConflictError, ForbiddenError, HttpError, NotFoundError, UnauthorizedError } from '../http/errors.js';
import type { Clock, NewId } from '../ports.js';
import type { AccessTokens } from './access-tokens.js';
import type { LoginBody, RegisterBody } from './identity-request.js';
import type { PasswordHasher } from './password.js';
import type { ApiKeyRecord, IdentityStores, UserRecord } from './ports.js';

export interface IdentityDeps extends IdentityStores {
  passwords: PasswordHasher;
  tokens: AccessTokens;
  /** `closed`: POST /auth/register answers 403 REGISTRATION_CLOSED and admins create users. */
  registration: 'open' | 'closed';
  clock: Clock;
  newId: NewId;
}

export const userDto = (u: UserRecord) => ({
  id: u._id,
  email: u.email,
  role: u.role,
  created_at: u.created_at.toISOString(),
  disabled: u.disabled === true,
});
const apiKeyDto = (k: ApiKeyRecord) => ({
  id: k._id,
  name: k.name,
  prefix: k.prefix,
  created_at: k.created_at.toISOString(),
});

/** Registration, login/logout and API keys. Passwords, tokens and keys are never logged or stored in clear. */
export function createIdentityService(deps: IdentityDeps) {
  const accountOf = (principal: Principal): string => {
    if (principal.credential?.kind === 'admin_token') {
      throw new ForbiddenError('the bootstrap admin token has no user account: register a user and log in');
    }
    return principal.userId;
  };

  /** A new user (registration, or an admin's POST /admin/users); 409 EMAIL_TAKEN. */
  const createUser = async (email: string, password: string, role: Role): Promise<UserRecord> => {
    const user: UserRecord = {
      _id: deps.newId(),
      email,
      email_lower: email.toLowerCase(),
      password_hash: await deps.passwords.hash(password),
      role,
      created_at: deps.clock(),
      disabled: false,
    };
    if (!(await deps.users.insert(user))) throw new ConflictError('EMAIL_TAKEN', 'an account with this email exists');
    return user;
  };

  return {
    async register(body: RegisterBody): Promise<UserRecord> {
      if (deps.registration === 'closed')
        throw new HttpError(403, 'REGISTRATION_CLOSED', 'registration is closed on this server: ask an administrator');
      return createUser(body.email, body.password, 'user');
    },
    createUser,
    async login(body: LoginBody) {
      const user = await deps.users.findByEmail(body.email);
      // Same work whether or not the email exists, so timing does not reveal accounts.
      const ok = user
        ? await deps.passwords.verify(body.password, user.password_hash)
        : (await deps.passwords.waste(body.password), false);
      if (!user || !ok) throw new HttpError(401, 'INVALID_CREDENTIALS', 'wrong email or password');
      // Only after the password matched, so it tells nothing to someone guessing.
      if (user.disabled) throw new HttpError(401, 'ACCOUNT_DISABLED', 'this account is disabled: ask an administrator');
      // Stored with an older, cheaper cost: redo it now that the password is at hand.
      if (deps.passwords.needsRehash(user.password_hash))
        await deps.users.update(user._id, { password_hash: await deps.passwords.hash(body.password) });
      const now = deps.clock();
      const sessionId = randomBytes(24).toString('base64url');
      await deps.sessions.insert({
        _id: sessionId,
        user_id: user._id,
        created_at: now,
        expires_at: new Date(now.getTime() + deps.tokens.ttlS * 1000),
        revoked_at: null,
      });
      const access_token = await deps.tokens.sign({ userId: user._id, sessionId });
      return { access_token, token_type: 'bearer' as const, expires_in: deps.tokens.ttlS };
    },
    async logout(principal: Principal): Promise<void> {
      if (principal.credential?.kind !== 'session') {
        throw new HttpError(
          400,
          'NOT_A_SESSION',
          'logout ends a login session; revoke an API key with DELETE /api/v1/api-keys/{id}',
        );
      }
      await deps.sessions.revoke(principal.credential.sessionId, deps.clock());
    },
    async me(principal: Principal) {
      if (principal.credential?.kind === 'admin_token')
        return { id: principal.userId, email: null, role: principal.role, created_at: null, disabled: false };
      const user = await deps.users.get(principal.userId);
      if (!user) throw new UnauthorizedError();
      return userDto(user);
    },
    async createApiKey(principal: Principal, name: string) {
      const userId = accountOf(principal);
      const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const record: ApiKeyRecord = {
        _id: deps.newId(),
        user_id: userId,
        name,
        key_hash: hashApiKey(key),
        prefix: key.slice(0, 8),
        created_at: deps.clock(),
        revoked_at: null,
      };
      await deps.apiKeys.insert(record);
      return { ...apiKeyDto(record), key };
    },
    async listApiKeys(principal: Principal) {
      return (await deps.apiKeys.listActive(accountOf(principal))).map(apiKeyDto);
    },
    async revokeApiKey(principal: Principal, keyId: string): Promise<void> {
      if (!(await deps.apiKeys.revoke(accountOf(principal), keyId, deps.clock())))
        throw new NotFoundError('api key', keyId);
    },
    async setRole(userId: string, role: Role) {
      const user = await deps.users.setRole(userId, role);
      if (!user) throw new NotFoundError('user', userId);
      return userDto(user);
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
