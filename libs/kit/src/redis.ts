import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { errorMessage } from './errors.js';
import { redactUrl } from './secrets.js';

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
  /** Extra ioredis options, applied last. */
  options?: RedisOptions;
}

/**
 * An ioredis client that connects at once and reconnects forever (ioredis's default
 * strategy). A broken connection is logged once when it breaks and once when it is
 * back, not on every retry. Non-blocking clients keep ioredis's default
 * maxRetriesPerRequest (20), so a command fails instead of waiting forever.
 */
export function createRedis(url: string, opts: CreateRedisOptions): Redis {
  const client = new Redis(url, {
    connectionName: opts.name,
    lazyConnect: false,
    // Commands issued in the same tick leave in one write: on a busy host the syscall per
    // command costs more than the command. Never on a blocking client, where a pipeline
    // would queue other commands behind the BLOCK.
    ...(opts.blocking ? { maxRetriesPerRequest: null } : { enableAutoPipelining: true }),
    ...opts.options,
  });
  watchEpisodes(client, opts.logger.child({ component: 'redis', client: opts.name }), redactUrl(url));
  return client;
}

function watchEpisodes(client: Redis, logger: Logger, target: string): void {
  let downSince: number | undefined;
  const down = (reason: string) => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    logger.warn(
      { target, reason },
      `redis connection to ${target} lost: ${reason}; reconnecting. Check that redis-server is running and REDIS_URL is right.`,
    );
  };
  client.on('error', (err: unknown) => down(errorMessage(err)));
  client.on('reconnecting', () => down('connection closed'));
  client.on('ready', () => {
    if (downSince === undefined) return;
    logger.info({ target, downMs: Date.now() - downSince }, `redis connection to ${target} restored`);
    downSince = undefined;
  });
}

/** Readiness check: fails fast when the client is not connected, else PING. */
export async function redisPing(client: Redis): Promise<void> {
  if (client.status !== 'ready') throw new Error(`connection is ${client.status}`);
  const answer = await client.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(answer)}`);
}
