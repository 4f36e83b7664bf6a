import { streamStats, type StreamStats } from '@pixsim/bus';
import type { ParsedCommand } from '../args.js';
import type { CliConfig } from '../config.js';
import type { GatewayClient } from '../gateway-client.js';
import type { CliIo } from '../io.js';
import { age, renderTable } from '../table.js';
import { gatewayOrRedis } from './redis-direct.js';
import type { StreamRow } from './views.js';

interface GatewayStreams {
  streams: {
    type: string;
    length: number;
    dlq_length: number;
    missing?: boolean;
    groups: {
      group: string;
      lag: number | null;
      pending: number;
      oldest_pending_ms: number | null;
      missing?: boolean;
    }[];
  }[];
}

const fromGateway = (body: GatewayStreams): StreamRow[] =>
  body.streams.map((s) => ({
    type: s.type,
    length: s.length,
    dlq: s.dlq_length,
    missing: s.missing,
    groups: s.groups.map((g) => ({
      group: g.group,
      lag: g.lag,
      pending: g.pending,
      oldestPendingMs: g.oldest_pending_ms,
      missing: g.missing,
    })),
  }));

const fromBus = (stats: StreamStats[]): StreamRow[] =>
  stats.map((s) => ({
    type: s.type,
    length: s.length,
    dlq: s.deadLetters,
    missing: s.missing,
    groups: s.groups.map((g) => ({
      group: g.group,
      lag: g.lag,
      pending: g.pending,
      oldestPendingMs: g.oldestPendingMs,
      missing: g.missing,
    })),
  }));

function renderStreams(rows: StreamRow[]): string {
  const lines = rows.flatMap((s) =>
    (s.groups.length ? s.groups : [null]).map((g) => [
      s.type,
      g?.group ?? '-',
      String(s.length),
      // A stream or group that does not exist says so: its "lag" is no idle system.
      g?.missing || s.missing ? 'missing' : g ? String(g.lag ?? '?') : '-',
      g ? String(g.pending) : '-',
      g?.oldestPendingMs == null ? '-' : age(g.oldestPendingMs),
      String(s.dlq),
    ]),
  );
  return renderTable(['STREAM', 'GROUP', 'LENGTH', 'LAG', 'PENDING', 'OLDEST PENDING', 'DLQ'], lines);
}

export async function streamsCommand(
  client: GatewayClient,
  cfg: CliConfig,
  parsed: ParsedCommand,
  io: CliIo,
): Promise<number> {
  const rows = await gatewayOrRedis(
    cfg,
    io,
    async () => fromGateway(await client.request<GatewayStreams>('GET', '/api/v1/admin/streams')),
    async (redis, keys) => fromBus(await streamStats(redis, keys)), // every partition, summed
  );
  io.out(parsed.values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderStreams(rows)}\n`);
  return 0;
}
