import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import type { CallbackSecrets } from '../callbacks/callback-secrets.js';
import { ConflictError, ForbiddenError, HttpError, NotFoundError, UnauthorizedError } from '../http/errors.js';
import { decodeCursor, toPage } from '../http/pagination.js';
import type { CreateUserBody, UpdateUserBody } from '../identity/identity-request.js';
import type { IdentityService } from '../identity/identity-service.js';
import type { UserRecord, UserStore } from '../identity/ports.js';
import type { CancelJob } from '../jobs/cancel-job.js';
import type { JobStore } from '../store/ports.js';
import { effectiveLimits, type QuotaLimits } from '../quota/quota.js';
import type { QuotaStore } from '../quota/quota-store.js';

export interface UserAdminDeps {
  users: UserStore;
  identity: Pick<IdentityService, 'createUser'>;
  quota: Pick<QuotaStore, 'usage'>;
  /** QUOTA_MAX_ACTIVE_JOBS, QUOTA_JOBS_PER_DAY, QUOTA_CREDITS_PER_DAY (null = no limit). */
  quotaDefaults: QuotaLimits;
  jobs: Pick<JobStore, 'list'>;
  cancelJob: CancelJob;
  /** Absent: callbacks are off, and so are the callback-secret routes (404). */
  callbackSecrets?: CallbackSecrets;
  clock: () => Date;
}

const ADMIN: Principal = { userId: 'admin', role: 'admin' };
/** A disabled user's waiting jobs are cancelled in pages of this many, up to CANCEL_MAX. */
const CANCEL_PAGE = 100;
const CANCEL_MAX = 10_000;

/** The user-administration API (admins) and the usage and callback-secret views of the caller. */
export function createUserAdmin(deps: UserAdminDeps) {
  const limitsOf = (user: Pick<UserRecord, 'quota_overrides'>) =>
    effectiveLimits(deps.quotaDefaults, user.quota_overrides);

  const adminUser = async (user: UserRecord) => ({
    id: user._id,
    email: user.email,
    role: user.role,
    disabled: user.disabled === true,
    created_at: user.created_at.toISOString(),
    quota: limitsOf(user),
    quota_overrides: { ...(user.quota_overrides ?? {}) },
    usage: await deps.quota.usage(user._id, limitsOf(user)),
  });

  const load = async (id: string) => {
    const user = await deps.users.get(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  };

  /** Cancels every job of the user still waiting (PENDING); one that ends meanwhile is skipped. */
  const cancelWaiting = async (userId: string): Promise<number> => {
    let cancelled = 0;
    let after: { createdAt: Date; id: string } | undefined;
    while (cancelled < CANCEL_MAX) {
      const rows = await deps.jobs.list({ userId, status: 'PENDING', limit: CANCEL_PAGE, after });
      for (const job of rows.slice(0, CANCEL_PAGE)) {
        try {
          await deps.cancelJob(ADMIN, job._id);
          cancelled++;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err; // JOB_TERMINAL: it ended first
        }
      }
      const last = rows[CANCEL_PAGE - 1];
      if (rows.length <= CANCEL_PAGE || !last?.created_at) break;
      after = { createdAt: last.created_at, id: last._id };
    }
    return cancelled;
  };

  const ownUser = async (principal: Principal) => {
    if (principal.credential?.kind === 'admin_token')
      throw new ForbiddenError('the bootstrap admin token has no user account: log in as a user');
    const user = await deps.users.get(principal.userId);
    if (!user) throw new UnauthorizedError();
    return user;
  };
  const secrets = () => {
    if (!deps.callbackSecrets)
      throw new HttpError(
        404,
        'NOT_FOUND',
        'callbacks are not enabled on this gateway (its operator sets CALLBACK_SECRET)',
      );
    return deps.callbackSecrets;
  };

  return {
    adminUser,
    async list(query: { limit: number; cursor?: string; q?: string }) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await deps.users.list({ q: query.q, limit: query.limit, after });
      const page = toPage(rows, query.limit, (u) => u);
      return { items: await Promise.all(page.items.map(adminUser)), next_cursor: page.next_cursor };
    },
    async get(id: string) {
      return adminUser(await load(id));
    },
    async create(body: CreateUserBody) {
      const generated = body.password === undefined ? randomBytes(18).toString('base64url') : undefined;
      const user = await deps.identity.createUser(body.email, body.password ?? generated!, body.role);
      return { ...(await adminUser(user)), ...(generated ? { password: generated } : {}) };
    },
    async update(id: string, body: UpdateUserBody) {
      await load(id);
      const user = await deps.users.update(id, { disabled: body.disabled, role: body.role, quota: body.quota });
      if (!user) throw new NotFoundError('user', id);
      if (body.cancel_jobs) await cancelWaiting(id);
      return adminUser(user);
    },
    async usage(principal: Principal) {
      const user = await ownUser(principal);
      return deps.quota.usage(user._id, limitsOf(user));
    },
    async callbackSecret(principal: Principal) {
      const s = secrets();
      // The bootstrap admin token has no user record: its jobs' callbacks use the first secret of "admin".
      if (principal.credential?.kind === 'admin_token') return { secret: s.current({ _id: principal.userId }) };
      return { secret: s.current(await ownUser(principal)) };
    },
    async rotateCallbackSecret(principal: Principal) {
      const s = secrets();
      const user = await ownUser(principal);
      const state = s.rotated(user);
      const updated = await deps.users.update(user._id, { callback_secret: state });
      if (!updated) throw new UnauthorizedError();
      return { secret: s.current(updated), previous_valid_until: state.previous_valid_until!.toISOString() };
    },
  };
}

export type UserAdmin = ReturnType<typeof createUserAdmin>;
