import { Redis } from 'ioredis';
import { streamStats, type StreamStats } from '@pixsim/bus';
import { createKeys } from '@pixsim/contracts';
import type { ParsedCommand } from '../args.js';
import { redisUrlFrom, type CliConfig } from '../config.js';
import { CliError } from '../errors.js';
import { GatewayUnreachableError, type GatewayClient } from '../gateway-client.js';
import type { CliIo } from '../io.js';
import { age, renderTable } from '../table.js';
import type { StreamRow } from './views.js';

interface GatewayStreams {
  streams: { type: string; length: number; dlq_length: number; groups: { group: string; lag: number | null; pending: number; oldest_pending_ms: number | null }[] }[];
}

const fromGateway = (body: GatewayStreams): StreamRow[] => body.streams.map((s) => ({
  type: s.type, length: s.length, dlq: s.dlq_length,
  groups: s.groups.map((g) => ({ group: g.group, lag: g.lag, pending: g.pending, oldestPendingMs: g.oldest_pending_ms })),
}));

const fromBus = (stats: StreamStats[]): StreamRow[] => stats.map((s) => ({
  type: s.type, length: s.length, dlq: s.deadLetters,
  groups: s.groups.map((g) => ({ group: g.group, lag: g.lag, pending: g.pending, oldestPendingMs: g.oldestPendingMs })),
}));

/** Straight from Redis, for when the gateway is down (which is when one most wants this). */
export async function readRedisStats(url: string, prefix: string): Promise<StreamRow[]> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => {}); // reported by the failing command below
  try {
    await redis.connect();
    return fromBus(await streamStats(redis, createKeys(prefix)));
  } catch (err) {
    throw new CliError(`cannot read Redis at ${url} (${(err as Error).message}): is it running? Set --redis or REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}

export function renderStreams(rows: StreamRow[]): string {
  const lines = rows.flatMap((s) => (s.groups.length ? s.groups : [null]).map((g) => [
    s.type, g?.group ?? '-', String(s.length), g ? String(g.lag ?? '?') : '-', g ? String(g.pending) : '-',
    g?.oldestPendingMs == null ? '-' : age(g.oldestPendingMs), String(s.dlq),
  ]));
  return renderTable(['STREAM', 'GROUP', 'LENGTH', 'LAG', 'PENDING', 'OLDEST PENDING', 'DLQ'], lines);
}

export async function streamsCommand(client: GatewayClient, cfg: CliConfig, parsed: ParsedCommand, io: CliIo): Promise<number> {
  let rows: StreamRow[];
  if (cfg.redisUrl) {
    rows = await readRedisStats(cfg.redisUrl, cfg.prefix);
  } else {
    try {
      rows = fromGateway(await client.request<GatewayStreams>('GET', '/api/v1/admin/streams'));
    } catch (err) {
      if (!(err instanceof GatewayUnreachableError)) throw err;
      const url = redisUrlFrom(cfg, io.env);
      io.err(`${err.message}\nreading Redis directly at ${url} (prefix ${cfg.prefix}) instead\n`);
      rows = await readRedisStats(url, cfg.prefix);
    }
  }
  io.out(parsed.values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderStreams(rows)}\n`);
  return 0;
}
