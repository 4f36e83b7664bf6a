import { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '@pixsim/bus';
import { createKeys, type Keys } from '@pixsim/contracts';
import { redisUrlFrom, type CliConfig } from '../config.js';
import { CliError } from '../errors.js';
import { GatewayUnreachableError } from '../gateway-client.js';
import type { CliIo } from '../io.js';

/** Where the bus lives, as the services see it: REDIS_CLUSTER_NODES and STREAM_PARTITIONS from the environment. */
interface RedisDirectTarget {
  url: string;
  prefix: string;
  /** `host:port` seeds: read through a Cluster client. */
  clusterNodes?: readonly string[];
  partitions?: number;
}

function redisTargetFrom(url: string, prefix: string, env: NodeJS.ProcessEnv): RedisDirectTarget {
  const clusterNodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const raw = env.STREAM_PARTITIONS?.trim();
  const partitions = raw ? Number(raw) : 1;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 64) {
    throw new CliError(`STREAM_PARTITIONS must be an integer from 1 to 64, got ${JSON.stringify(raw)}`);
  }
  return { url, prefix, clusterNodes: clusterNodes.length ? clusterNodes : undefined, partitions };
}

function shortLivedClient(target: RedisDirectTarget): RedisClient {
  const failFast = { connectTimeout: 3_000, maxRetriesPerRequest: 1 };
  if (target.clusterNodes) {
    const { username, password } = new URL(target.url);
    return new Cluster(
      target.clusterNodes.map((node) => {
        const i = node.lastIndexOf(':');
        return { host: node.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(node.slice(i + 1)) };
      }),
      {
        lazyConnect: true,
        scaleReads: 'master',
        clusterRetryStrategy: () => null,
        redisOptions: {
          ...failFast,
          ...(username ? { username: decodeURIComponent(username) } : {}),
          ...(password ? { password: decodeURIComponent(password) } : {}),
        },
      },
    );
  }
  return new Redis(target.url, { ...failFast, lazyConnect: true, retryStrategy: () => null });
}

/** Runs `read` on a short-lived Redis (or Redis Cluster) client; a failure says where it looked and what to set. */
async function withRedis<T>(
  target: RedisDirectTarget,
  read: (redis: RedisClient, keys: Keys) => Promise<T>,
): Promise<T> {
  const redis = shortLivedClient(target);
  const where = target.clusterNodes
    ? `the Redis Cluster at ${target.clusterNodes.join(',')}`
    : `Redis at ${target.url}`;
  redis.on('error', () => {}); // reported by the failing command below
  try {
    await redis.connect();
    return await read(redis, createKeys(target.prefix, { partitions: target.partitions }));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      `cannot read ${where} (${(err as Error).message}): is it running? Set --redis or REDIS_URL ` +
        `(REDIS_CLUSTER_NODES for a cluster).`,
    );
  } finally {
    redis.disconnect();
  }
}

/**
 * The gateway's answer, or, with --redis or when the gateway cannot be reached at all
 * (which is when an operator most needs the bus), the same read straight from Redis.
 */
export async function gatewayOrRedis<T>(
  cfg: CliConfig,
  io: CliIo,
  viaGateway: () => Promise<T>,
  viaRedis: (redis: RedisClient, keys: Keys) => Promise<T>,
): Promise<T> {
  // --redis names one Redis; the environment may name a cluster.
  if (cfg.redisUrl)
    return withRedis({ ...redisTargetFrom(cfg.redisUrl, cfg.prefix, io.env), clusterNodes: undefined }, viaRedis);
  try {
    return await viaGateway();
  } catch (err) {
    if (!(err instanceof GatewayUnreachableError)) throw err;
    const url = redisUrlFrom(cfg, io.env);
    const target = redisTargetFrom(url, cfg.prefix, io.env);
    io.err(
      `${err.message}\nreading ${target.clusterNodes ? `the Redis Cluster at ${target.clusterNodes.join(',')}` : `Redis directly at ${url}`} (prefix ${cfg.prefix}) instead\n`,
    );
    return withRedis(target, viaRedis);
  }
}
