import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from './errors.js';
import { redactUrl } from './secrets.js';

/** One Redis (REDIS_URL), or a Redis Cluster (REDIS_CLUSTER_NODES; credentials and TLS from REDIS_URL). */
export type RedisConnection = Redis | Cluster;

export interface RedisTarget {
  REDIS_URL: string;
  /** `host:port` seed nodes; set, the client is a Cluster client. */
  REDIS_CLUSTER_NODES?: readonly string[] | undefined;
}

export interface CreateRedisOptions {
  /** Shown in CLIENT LIST and in logs, e.g. `dispatcher:reader`. */
  name: string;
  logger: Logger;
  /**
   * For a connection that runs blocking commands (XREADGROUP … BLOCK): commands wait
   * through reconnects instead of failing after N retries. Give each blocking reader
   * its own client; never set commandTimeout on it.
   */
  blocking?: boolean;
  /** Extra ioredis options, applied last (to every node's connection on a cluster). */
  options?: RedisOptions;
}

/**
 * The one place that decides how the services, the CLI and the benchmarks reach Redis:
 * a Cluster client when the target lists cluster nodes, else one Redis at the URL.
 * Either connects at once and reconnects forever; a broken connection is logged once
 * when it breaks and once when it is back, not on every retry. Non-blocking clients
 * keep ioredis's default maxRetriesPerRequest (20), so a command fails instead of
 * waiting forever.
 */
export function createRedis(target: string, opts: CreateRedisOptions): Redis;
export function createRedis(target: RedisTarget, opts: CreateRedisOptions): RedisConnection;
export function createRedis(target: string | RedisTarget, opts: CreateRedisOptions): RedisConnection {
  const url = typeof target === 'string' ? target : target.REDIS_URL;
  const nodes = typeof target === 'string' ? undefined : target.REDIS_CLUSTER_NODES;
  const logger = opts.logger.child({ component: 'redis', client: opts.name });
  // Commands issued in the same tick leave in one write: on a busy host the syscall per
  // command costs more than the command. Never on a blocking client, where a pipeline
  // would queue other commands behind the BLOCK.
  const perCommand = opts.blocking ? { maxRetriesPerRequest: null } : {};
  if (nodes && nodes.length > 0) {
    const cluster = new Cluster(nodes.map(parseNode), clusterOptions(url, opts, perCommand));
    watchEpisodes(cluster, logger, `cluster ${nodes.join(',')}`);
    return cluster;
  }
  const client = new Redis(url, {
    connectionName: opts.name,
    lazyConnect: false,
    ...(opts.blocking ? perCommand : { enableAutoPipelining: true }),
    ...opts.options,
  });
  watchEpisodes(client, logger, redactUrl(url));
  return client;
}

/**
 * Writes and reads go to masters only (a replica may lag, and the bus reads what it
 * just wrote); the seed nodes are tried again forever, 100 ms growing to 2 s, and a
 * command during a failover waits for the promotion instead of failing at once.
 */
function clusterOptions(url: string, opts: CreateRedisOptions, perCommand: RedisOptions): ClusterOptions {
  const parsed = new URL(url);
  const redisOptions: RedisOptions = {
    connectionName: opts.name,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...perCommand,
    ...opts.options,
  };
  return {
    scaleReads: 'master',
    enableAutoPipelining: !opts.blocking,
    clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 2_000,
    ...(opts.options?.enableOfflineQueue === false ? { enableOfflineQueue: false } : {}),
    redisOptions,
  };
}

/** `host:port` (or `[v6]:port`); the port defaults to 6379. */
export function parseNode(node: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(node.trim());
  if (!match) throw new TypeError(`cluster node ${JSON.stringify(node)} is not host:port`);
  return { host: match[1]!, port: match[2] ? Number(match[2]) : 6379 };
}

function watchEpisodes(client: RedisConnection, logger: Logger, target: string): void {
  let downSince: number | undefined;
  const down = (reason: string) => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    logger.warn(
      { target, reason },
      `redis connection to ${target} lost: ${reason}; reconnecting. Check that redis-server is running and ` +
        `REDIS_URL (or REDIS_CLUSTER_NODES) is right.`,
    );
  };
  client.on('error', (err: unknown) => down(errorMessage(err)));
  client.on('reconnecting', () => down('connection closed'));
  client.on('ready', () => {
    if (downSince === undefined) return;
    logger.info({ target, down_ms: Date.now() - downSince }, `redis connection to ${target} restored`);
    downSince = undefined;
  });
}

/** Readiness check: fails fast when the client is not connected, else PING. */
export async function redisPing(client: RedisConnection): Promise<void> {
  if (client.status !== 'ready') throw new Error(`connection is ${client.status}`);
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(answer)}`);
}
