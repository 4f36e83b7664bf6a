import { intFlag, stringFlag, type ParsedCommand } from '../args.js';
import { UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import type { CliIo } from '../io.js';
import { renderTable } from '../table.js';

interface Usage {
  limit: number | null;
  used: number;
  resets_at: string | null;
}
/** A user as GET /api/v1/admin/users shows it. */
interface AdminUserView {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  created_at: string;
  quota: Record<string, number | null>;
  quota_overrides: Record<string, number>;
  usage: Record<'max_active_jobs' | 'jobs_per_day' | 'credits_per_day', Usage>;
  password?: string;
}

const QUOTA_FLAGS = {
  'max-active': 'max_active_jobs',
  'jobs-per-day': 'jobs_per_day',
  'credits-per-day': 'credits_per_day',
} as const;
const used = (u: Usage) => `${u.used}/${u.limit ?? '∞'}`;

/**
 * `pixsim users [--q PREFIX] [--limit N] [--json]`       users, newest first, with usage of their quotas
 * `pixsim users create EMAIL [--role admin]`             a new user; its generated password is printed once
 * `pixsim users disable ID [--cancel-jobs]` / `enable ID` lock a user out (every session and key) or let them back
 * `pixsim users quota ID [--max-active N] [--jobs-per-day N] [--credits-per-day N]` (N or `default`)
 */
export async function usersCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const [action, arg, ...extra] = parsed.positionals;
  if (extra.length) throw new UsageError(`unexpected ${JSON.stringify(extra.join(' '))}`);
  const need = (what: string) => {
    if (!arg) throw new UsageError(`pixsim users ${action} needs ${what}`);
    return arg;
  };
  switch (action) {
    case undefined:
      return list(client, parsed, io);
    case 'create': {
      const role = stringFlag(parsed.values, 'role') ?? 'user';
      if (role !== 'user' && role !== 'admin')
        throw new UsageError(`--role must be user or admin, got ${JSON.stringify(role)}`);
      const u = await client.request<AdminUserView>('POST', '/api/v1/admin/users', { email: need('an email'), role });
      io.out(`${u.id}\n`);
      if (u.password) io.out(`password (shown once): ${u.password}\n`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const body = { disabled: action === 'disable', ...(parsed.values['cancel-jobs'] ? { cancel_jobs: true } : {}) };
      const u = await client.request<AdminUserView>(
        'PATCH',
        `/api/v1/admin/users/${encodeURIComponent(need('a user id'))}`,
        body,
      );
      io.out(`${u.email} ${u.disabled ? 'disabled: its sessions and API keys answer 401 from now' : 'enabled'}\n`);
      return 0;
    }
    case 'quota': {
      const quota: Record<string, number | null> = {};
      for (const [flag, key] of Object.entries(QUOTA_FLAGS)) {
        const raw = stringFlag(parsed.values, flag);
        if (raw === undefined) continue;
        quota[key] = raw === 'default' ? null : intFlag(parsed.values, flag, { min: 0 })!;
      }
      if (Object.keys(quota).length === 0)
        throw new UsageError('give at least one of --max-active, --jobs-per-day, --credits-per-day (N or default)');
      const u = await client.request<AdminUserView>(
        'PATCH',
        `/api/v1/admin/users/${encodeURIComponent(need('a user id'))}`,
        { quota },
      );
      io.out(
        `${u.email}: ${Object.entries(u.quota)
          .map(([k, v]) => `${k}=${v ?? 'none'}`)
          .join(' ')}\n`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown users action ${JSON.stringify(action)}: create, disable, enable or quota`);
  }
}

async function list(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const limit = intFlag(parsed.values, 'limit', { min: 1, max: 100 }) ?? 50;
  const q = stringFlag(parsed.values, 'q');
  const query = new URLSearchParams({ limit: String(limit), ...(q ? { q } : {}) });
  const { items, next_cursor } = await client.request<{ items: AdminUserView[]; next_cursor: string | null }>(
    'GET',
    `/api/v1/admin/users?${query}`,
  );
  if (parsed.values.json) {
    io.out(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    io.out('no users\n');
    return 0;
  }
  io.out(
    `${renderTable(
      ['ID', 'EMAIL', 'ROLE', 'STATE', 'ACTIVE', 'JOBS TODAY', 'CREDITS TODAY'],
      items.map((u) => [
        u.id,
        u.email,
        u.role,
        u.disabled ? 'disabled' : 'active',
        used(u.usage.max_active_jobs),
        used(u.usage.jobs_per_day),
        used(u.usage.credits_per_day),
      ]),
    )}\n`,
  );
  if (next_cursor) io.out('more users than shown: --limit up to 100, or --q EMAIL-PREFIX\n');
  return 0;
}
