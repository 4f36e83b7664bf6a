import { Redis } from 'ioredis';
import { createKeys, type Keys } from '@pixsim/contracts';
import { redisUrlFrom, type CliConfig } from '../config.js';
import { CliError } from '../errors.js';
import { GatewayUnreachableError } from '../gateway-client.js';
import type { CliIo } from '../io.js';

/** Runs `read` on a short-lived Redis client; a failure says where it looked and what to set. */
export async function withRedis<T>(
  url: string,
  prefix: string,
  read: (redis: Redis, keys: Keys) => Promise<T>,
): Promise<T> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // reported by the failing command below
  try {
    await redis.connect();
    return await read(redis, createKeys(prefix));
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      `cannot read Redis at ${url} (${(err as Error).message}): is it running? Set --redis or REDIS_URL.`,
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
  viaRedis: (redis: Redis, keys: Keys) => Promise<T>,
): Promise<T> {
  if (cfg.redisUrl) return withRedis(cfg.redisUrl, cfg.prefix, viaRedis);
  try {
    return await viaGateway();
  } catch (err) {
    if (!(err instanceof GatewayUnreachableError)) throw err;
    const url = redisUrlFrom(cfg, io.env);
    io.err(`${err.message}\nreading Redis directly at ${url} (prefix ${cfg.prefix}) instead\n`);
    return withRedis(url, cfg.prefix, viaRedis);
  }
}
