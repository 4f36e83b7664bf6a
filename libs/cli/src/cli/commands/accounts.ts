import { ACCOUNT_STATUSES, type AccountResponse } from '@pixsim/contracts';
import { intFlag, stringFlag, type ParsedCommand, type Values } from '../args.js';
import { UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { nowOf, type CliIo } from '../io.js';
import { age, renderTable } from '../table.js';

/** An account as GET /api/v1/accounts answers it (docs/api.md). */
type AccountView = AccountResponse;

function accountsQuery(values: ParsedCommand['values']): string {
  const status = stringFlag(values, 'status')?.toUpperCase();
  if (status !== undefined && !(ACCOUNT_STATUSES as readonly string[]).includes(status))
    throw new UsageError(
      `--status must be one of ${ACCOUNT_STATUSES.join(', ')}, got ${JSON.stringify(values.status)}`,
    );
  const limit = intFlag(values, 'limit', { min: 1, max: 100 }) ?? 100;
  return `/api/v1/accounts?${new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) })}`;
}

const ADD_FLAGS = ['api-key', 'api-key-stdin', 'nickname', 'email', 'max-concurrent', 'priority', 'provider'] as const;

/** The body of POST /api/v1/accounts from `pixsim accounts add` flags; the key from --api-key or stdin. */
async function buildAccountBody(values: Values, io: CliIo): Promise<Record<string, unknown>> {
  const given = stringFlag(values, 'api-key');
  if (given !== undefined && values['api-key-stdin'])
    throw new UsageError('give the API key once: --api-key KEY or --api-key-stdin');
  let apiKey = given;
  if (values['api-key-stdin']) {
    if (!io.readStdin) throw new UsageError('--api-key-stdin: no standard input here');
    apiKey = (await io.readStdin()).trim();
  }
  if (!apiKey) {
    throw new UsageError(
      'accounts add needs the provider API key: --api-key KEY, or --api-key-stdin to keep it off the command line ' +
        '(pixsim accounts add --api-key-stdin < key.txt)',
    );
  }
  const maxConcurrent = intFlag(values, 'max-concurrent', { min: 1, max: 1000 });
  const priority = intFlag(values, 'priority', { min: 0, max: 100 });
  const nickname = stringFlag(values, 'nickname');
  const email = stringFlag(values, 'email');
  return {
    provider_id: stringFlag(values, 'provider') ?? 'pixverse',
    api_key: apiKey,
    ...(nickname ? { nickname } : {}),
    ...(email ? { email } : {}),
    ...(maxConcurrent === undefined ? {} : { max_concurrent_jobs: maxConcurrent }),
    ...(priority === undefined ? {} : { priority }),
  };
}

/**
 * `pixsim accounts add`: one provider account, its key sealed by the gateway at once. The
 * dispatcher then reads its balance from the provider; jobs waiting for an account start.
 */
async function addAccount(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const body = await buildAccountBody(parsed.values, io);
  const account = await client.request<AccountView>('POST', '/api/v1/accounts', body);
  if (parsed.values.json) {
    io.out(`${JSON.stringify(account, null, 2)}\n`);
    return 0;
  }
  io.out(`${account.id}\n`);
  io.out(
    `added ${account.provider_id} account ${account.nickname ?? account.email ?? account.id} (up to ${account.max_concurrent_jobs} at once, priority ${account.priority}); ` +
      'the dispatcher reads its balance from the provider next: pixsim accounts shows its credits\n',
  );
  return 0;
}

/**
 * Provider accounts at a glance: which can take work now, which are cooling down or out
 * of credits, and how full each is. The first place to look when jobs wait for an account.
 */
export async function accountsCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const [action, ...extra] = parsed.positionals;
  if (action === 'add') {
    if (extra.length) throw new UsageError(`accounts add takes flags only, got ${JSON.stringify(extra.join(' '))}`);
    return addAccount(client, parsed, io);
  }
  if (action !== undefined)
    throw new UsageError(
      `unknown accounts action ${JSON.stringify(action)}: pixsim accounts [--status S], or pixsim accounts add ` +
        `--api-key-stdin`,
    );
  const misplaced = ADD_FLAGS.filter((f) => parsed.values[f] !== undefined);
  if (misplaced.length) throw new UsageError(`--${misplaced[0]} is for pixsim accounts add`);
  const { items, next_cursor } = await client.request<{ items: AccountView[]; next_cursor: string | null }>(
    'GET',
    accountsQuery(parsed.values),
  );
  if (parsed.values.json) {
    io.out(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    io.out(
      parsed.values.status
        ? `no ${String(parsed.values.status).toUpperCase()} accounts\n`
        : 'no provider accounts: jobs wait (waiting_for_account) until one is added: pixsim accounts add --api-key-stdin < key.txt\n',
    );
    return 0;
  }
  const now = nowOf(io)();
  const cooling = (a: AccountView) => a.cooldown_until !== null && Date.parse(a.cooldown_until) > now;
  io.out(
    `${renderTable(
      ['ID', 'PROVIDER', 'NAME', 'STATUS', 'CREDITS', 'IN FLIGHT', 'PRIORITY', 'SUBMITTED', 'FAILED', 'LAST USED'],
      items.map((a) => [
        a.id,
        a.provider_id,
        a.nickname ?? a.email ?? '-',
        cooling(a) ? `${a.status} (cooling ${age(Date.parse(a.cooldown_until!) - now)})` : a.status,
        String(a.credits),
        `${a.in_flight}/${a.max_concurrent_jobs}`,
        String(a.priority),
        String(a.total_submitted),
        String(a.total_failed),
        a.last_used ? `${age(now - Date.parse(a.last_used))} ago` : 'never',
      ]),
    )}\n`,
  );
  if (next_cursor) io.out('more accounts than shown: --limit up to 100, or --status to narrow\n');
  const usable = items.filter((a) => a.status === 'ACTIVE' && !cooling(a) && a.in_flight < a.max_concurrent_jobs);
  if (usable.length === 0 && !parsed.values.status)
    io.out('none can take a job right now: new jobs wait (waiting_for_account) until one frees up or is added\n');
  return 0;
}
