import { listDeadLetters, replayDeadLetters, streamStats, type DeadLetter } from '@pixsim/bus';
import { EVENT_TYPES, type DeadLetterItem, type EventType } from '@pixsim/contracts';
import { intFlag, stringFlag, type ParsedCommand } from '../args.js';
import type { CliConfig } from '../config.js';
import { UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { nowOf, type CliIo } from '../io.js';
import { age, renderTable, truncate } from '../table.js';
import { gatewayOrRedis } from './redis-direct.js';

/** The parts of a dead letter the CLI shows, whether read from the gateway or from the bus itself. */
type DeadLetterView = Pick<
  DeadLetterItem,
  'id' | 'event_id' | 'group' | 'code' | 'reason' | 'deliveries' | 'dead_at' | 'fields'
>;

const fromBus = (d: DeadLetter): DeadLetterView => ({
  id: d.dlqId,
  event_id: d.fields.id ?? null,
  group: d.group,
  code: d.code,
  reason: d.reason,
  deliveries: d.deliveries,
  dead_at: d.at || null,
  fields: d.fields,
});

const STREAM_ID = /^\d+-\d+$/;

function eventType(raw: string | undefined, usage: string): EventType {
  if (raw === undefined) throw new UsageError(`${usage} needs an event type, one of: ${EVENT_TYPES.join(', ')}`);
  const type = raw.toUpperCase();
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(`unknown event type ${JSON.stringify(raw)}; one of: ${EVENT_TYPES.join(', ')}`);
  }
  return type as EventType;
}

/**
 * `pixsim dlq`                      which streams hold dead letters, and how many
 * `pixsim dlq TYPE`                 the oldest of them, each with why it was set aside
 * `pixsim dlq replay TYPE`          put them back on their stream (every group sees them again)
 */
export async function dlqCommand(
  client: GatewayClient,
  cfg: CliConfig,
  parsed: ParsedCommand,
  io: CliIo,
): Promise<number> {
  const [first, second, ...extra] = parsed.positionals;
  if (first === 'replay') {
    if (extra.length)
      throw new UsageError(`dlq replay takes one event type, got also ${JSON.stringify(extra.join(' '))}`);
    return replay(client, cfg, parsed, io, eventType(second, 'dlq replay'));
  }
  if (second !== undefined)
    throw new UsageError(`dlq takes at most one event type, got also ${JSON.stringify(second)}`);
  return first === undefined
    ? summary(client, cfg, parsed, io)
    : list(client, cfg, parsed, io, eventType(first, 'dlq'));
}

async function summary(client: GatewayClient, cfg: CliConfig, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const counts = await gatewayOrRedis(
    cfg,
    io,
    async () =>
      (
        await client.request<{ streams: { type: string; dlq_length: number }[] }>('GET', '/api/v1/admin/streams')
      ).streams.map((s) => ({ type: s.type, dead_letters: s.dlq_length })),
    async (redis, keys) => (await streamStats(redis, keys)).map((s) => ({ type: s.type, dead_letters: s.deadLetters })),
  );
  const held = counts.filter((c) => c.dead_letters > 0);
  if (parsed.values.json) io.out(`${JSON.stringify(held, null, 2)}\n`);
  else if (held.length === 0) io.out('no dead letters\n');
  else {
    io.out(
      `${renderTable(
        ['STREAM', 'DEAD LETTERS'],
        held.map((c) => [c.type, String(c.dead_letters)]),
      )}\n`,
    );
    io.out('see why: pixsim dlq TYPE; once the cause is fixed: pixsim dlq replay TYPE\n');
  }
  return 0;
}

/** A step on one stream's dead letters, with the command's parts. */
type TypeAction = (
  client: GatewayClient,
  cfg: CliConfig,
  parsed: ParsedCommand,
  io: CliIo,
  type: EventType,
) => Promise<number>;

const list: TypeAction = async (client, cfg, parsed, io, type) => {
  const limit = intFlag(parsed.values, 'limit', { min: 1, max: 100 }) ?? 20;
  const page = await gatewayOrRedis(
    cfg,
    io,
    () =>
      client.request<{ items: DeadLetterView[]; next_cursor: string | null }>(
        'GET',
        `/api/v1/admin/dlq/${type}?limit=${limit}`,
      ),
    async (redis, keys) => {
      const letters = await listDeadLetters(redis, keys, type, { count: limit + 1 });
      return {
        items: letters.slice(0, limit).map(fromBus),
        next_cursor: letters.length > limit ? letters[limit - 1]!.dlqId : null,
      };
    },
  );
  if (parsed.values.json) {
    io.out(`${JSON.stringify(page.items, null, 2)}\n`);
    return 0;
  }
  if (page.items.length === 0) {
    io.out(`no dead letters on ${type}\n`);
    return 0;
  }
  const now = nowOf(io)();
  io.out(
    `${renderTable(
      ['ID', 'EVENT', 'GROUP', 'CODE', 'DELIVERIES', 'AGE', 'REASON'],
      page.items.map((d) => [
        d.id,
        d.event_id ?? '-',
        d.group,
        d.code,
        String(d.deliveries),
        d.dead_at ? age(now - Date.parse(d.dead_at)) : '-',
        truncate(d.reason.replace(/\s+/g, ' '), 80),
      ]),
    )}\n`,
  );
  if (page.next_cursor) io.out(`more than ${limit}: --limit up to 100, or --json for the whole entries\n`);
  io.out(`replay once the cause is fixed: pixsim dlq replay ${type} [--ids ID,ID]\n`);
  return 0;
};

const replay: TypeAction = async (client, cfg, parsed, io, type) => {
  const ids = stringFlag(parsed.values, 'ids')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = ids?.find((id) => !STREAM_ID.test(id));
  if (bad !== undefined)
    throw new UsageError(
      `--ids expects dead letter ids as \`pixsim dlq ${type}\` lists them (like 1712345678901-0), got ` +
        `${JSON.stringify(bad)}`,
    );
  if (ids && ids.length === 0) throw new UsageError('--ids expects at least one dead letter id');
  if (ids && ids.length > 1000) throw new UsageError('--ids takes at most 1000 ids at a time');
  const count = intFlag(parsed.values, 'count', { min: 1, max: 10_000 });
  if (ids && count !== undefined) throw new UsageError('give --ids or --count, not both');
  const { replayed } = await gatewayOrRedis(
    cfg,
    io,
    () =>
      client.request<{ replayed: number }>('POST', `/api/v1/admin/dlq/${type}/replay`, {
        ...(ids ? { ids } : {}),
        ...(count ? { count } : {}),
      }),
    (redis, keys) => replayDeadLetters(redis, keys, type, { ids, count: count ?? 1000 }),
  );
  io.out(
    replayed === 0
      ? `nothing replayed: no ${ids ? 'such ' : ''}dead letters on ${type}\n`
      : `replayed ${replayed} ${type} ${replayed === 1 ? 'entry' : 'entries'}: every group handles ${replayed === 1 ? 'it' : 'them'} again (handlers are idempotent on the event id)\n`,
  );
  return 0;
};
