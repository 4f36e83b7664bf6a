import type { ConnectionOptions, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff.js';
import { connectWithRetry } from './connect-retry.js';
import { errorMessage } from './errors.js';
import { redactUrl } from './secrets.js';

export interface ConnectNatsOptions {
  /** Client name shown by the server's monitoring, e.g. `gateway`. */
  name: string;
  logger: Logger;
  /** First-connection attempts; once connected the client reconnects forever. */
  attempts?: number;
  signal?: AbortSignal;
  backoff?: BackoffOptions;
  /** Extra nats options, applied last. */
  options?: Partial<ConnectionOptions>;
}

type NatsClient = typeof import('nats');

/**
 * `url` may list several servers separated by commas. The client library is loaded here, on
 * the first connection, not at start: only the gateway uses NATS, and the library is a few
 * MiB of heap in every worker that would load it for nothing.
 */
export async function connectNats(url: string, opts: ConnectNatsOptions): Promise<NatsConnection> {
  const client = await import('nats');
  const target = redactUrl(url);
  const logger = opts.logger.child({ component: 'nats', client: opts.name });
  const nc = await connectWithRetry(
    {
      ...opts,
      dependency: 'nats',
      target,
      logger,
      hint: () => 'Check that nats-server is running and NATS_URL points at it.',
      isFatal: (err) => /authorization|authentication/i.test(errorMessage(err)),
    },
    () =>
      client.connect({
        servers: url
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        name: opts.name,
        timeout: 2_000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        ...opts.options,
      }),
  );
  void watchStatus(client, nc, logger, target);
  logger.info({ target }, 'nats connected');
  return nc;
}

/** One line when the connection drops and one when it is back; per-attempt noise at debug. */
async function watchStatus(
  { Events, DebugEvents }: NatsClient,
  nc: NatsConnection,
  logger: Logger,
  target: string,
): Promise<void> {
  try {
    for await (const s of nc.status()) {
      if (s.type === Events.Disconnect) logger.warn({ target }, `nats disconnected from ${s.data}; reconnecting`);
      else if (s.type === Events.Reconnect) logger.info({ target }, `nats reconnected to ${s.data}`);
      else if (s.type === Events.Error) logger.error({ target, reason: String(s.data) }, 'nats error');
      else if (s.type === DebugEvents.Reconnecting) logger.debug({ target }, 'nats reconnecting');
    }
  } catch (err) {
    logger.debug({ reason: errorMessage(err) }, 'nats status stream ended');
  }
}

/** Readiness check: a round trip to the server. */
export async function natsPing(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error('connection is closed');
  await nc.flush();
}
