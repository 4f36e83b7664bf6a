import type { CallbackResponse } from '@pixsim/contracts';
import { intFlag, stringFlag, type ParsedCommand } from '../args.js';
import { UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { nowOf, type CliIo } from '../io.js';
import { age, renderTable, truncate } from '../table.js';

/** A callback as GET /api/v1/admin/callbacks shows it. */
/** A callback as GET /admin/callbacks answers it. */
type CallbackView = CallbackResponse;

const STATES = ['pending', 'delivered', 'failed'] as const;

/**
 * `pixsim callbacks [--state failed]`          every client's callbacks, newest first
 * `pixsim callbacks resend [--ids …|--count N]` send given-up ones again, once the receiver is back
 */
export async function callbacksCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const [action, ...extra] = parsed.positionals;
  if (action === 'resend') {
    if (extra.length) throw new UsageError(`callbacks resend takes flags only, got ${JSON.stringify(extra.join(' '))}`);
    return resend(client, parsed, io);
  }
  if (action !== undefined)
    throw new UsageError(
      `unknown callbacks action ${JSON.stringify(action)}: pixsim callbacks [--state failed], or pixsim callbacks ` +
        `resend`,
    );
  for (const flag of ['ids', 'count'] as const)
    if (parsed.values[flag] !== undefined) throw new UsageError(`--${flag} is for pixsim callbacks resend`);
  return list(client, parsed, io);
}

async function list(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const state = stringFlag(parsed.values, 'state')?.toLowerCase();
  if (state !== undefined && !(STATES as readonly string[]).includes(state))
    throw new UsageError(`--state must be one of ${STATES.join(', ')}, got ${JSON.stringify(parsed.values.state)}`);
  const limit = intFlag(parsed.values, 'limit', { min: 1, max: 100 }) ?? 50;
  const query = new URLSearchParams({ limit: String(limit), ...(state ? { state } : {}) });
  const { items, next_cursor } = await client.request<{ items: CallbackView[]; next_cursor: string | null }>(
    'GET',
    `/api/v1/admin/callbacks?${query}`,
  );
  if (parsed.values.json) {
    io.out(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    io.out(state ? `no ${state} callbacks\n` : 'no callbacks: jobs that name a callback_url get one when they end\n');
    return 0;
  }
  const now = nowOf(io)();
  io.out(
    `${renderTable(
      ['JOB', 'USER', 'URL', 'EVENT', 'STATE', 'ATTEMPTS', 'LAST', 'AGE'],
      items.map((c) => [
        c.job_id,
        c.user_id ?? '-',
        truncate(c.url, 48),
        c.event,
        c.state === 'pending' && c.next_attempt_at
          ? `pending (next in ${age(Math.max(0, Date.parse(c.next_attempt_at) - now))})`
          : c.state,
        String(c.attempts),
        truncate(c.last_error ?? (c.last_status === null ? '-' : String(c.last_status)), 40),
        age(now - Date.parse(c.created_at)),
      ]),
    )}\n`,
  );
  if (next_cursor) io.out('more callbacks than shown: --limit up to 100, or --state to narrow\n');
  if (items.some((c) => c.state === 'failed'))
    io.out('once a receiver answers again: pixsim callbacks resend (all given-up ones) or --ids JOB,JOB\n');
  return 0;
}

async function resend(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const ids = stringFlag(parsed.values, 'ids')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const count = intFlag(parsed.values, 'count', { min: 1, max: 10_000 });
  if (ids && count !== undefined) throw new UsageError('give --ids or --count, not both');
  if (ids && ids.length === 0) throw new UsageError('--ids expects job ids separated by commas');
  const { resent } = await client.request<{ resent: number }>(
    'POST',
    '/api/v1/admin/callbacks/resend',
    ids ? { ids } : count !== undefined ? { count } : {},
  );
  io.out(
    resent === 0
      ? 'nothing to resend: no given-up callback matched (pixsim callbacks --state failed lists them)\n'
      : `${resent} given-up callback${resent === 1 ? '' : 's'} pending again, with fresh attempts: pixsim callbacks --state pending follows them\n`,
  );
  return 0;
}
