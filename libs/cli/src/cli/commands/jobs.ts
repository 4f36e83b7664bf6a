import { intFlag, stringFlag, type ParsedCommand } from '../args.js';
import { UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { nowOf, type CliIo } from '../io.js';
import { age, renderTable, truncate } from '../table.js';
import type { JobView } from './views.js';

const STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'];

function jobsQuery(values: ParsedCommand['values']): string {
  const status = stringFlag(values, 'status')?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status))
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(values.status)}`);
  const limit = intFlag(values, 'limit', { min: 1, max: 100 }) ?? 20;
  const query = new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}) });
  return `/api/v1/jobs?${query}`;
}

export async function jobsCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const { items } = await client.request<{ items: JobView[] }>('GET', jobsQuery(parsed.values));
  if (parsed.values.json) {
    io.out(`${JSON.stringify(items, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    io.out('no jobs yet: pixsim submit "a cat surfing" --wait\n');
    return 0;
  }
  const now = nowOf(io)();
  const rows = items.map((j) => [
    j.id,
    j.status,
    j.error_code ?? j.status_detail ?? '',
    j.operation_type ?? '',
    j.created_at ? age(now - Date.parse(j.created_at)) : '',
    truncate(j.params?.prompt ?? '', 40),
  ]);
  io.out(`${renderTable(['ID', 'STATUS', 'DETAIL', 'OPERATION', 'AGE', 'PROMPT'], rows)}\n`);
  return 0;
}
