import mongoose, { type Connection, type ConnectOptions } from 'mongoose';
import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff.js';
import { connectWithRetry } from './connect-retry.js';
import { errorMessage } from './errors.js';
import { redactUrl } from './secrets.js';

export interface ConnectMongoOptions {
  uri: string;
  dbName: string;
  logger: Logger;
  /** Default 10 (about a minute); Infinity keeps trying until `signal` aborts. */
  attempts?: number;
  signal?: AbortSignal;
  /** Short, so an unreachable server is noticed in seconds rather than the driver's 30 s. */
  serverSelectionTimeoutMS?: number;
  backoff?: BackoffOptions;
  /** Passed through to mongoose.createConnection. */
  connectOptions?: ConnectOptions;
  /**
   * Whether compiling a model builds its indexes and collection (mongoose's autoIndex and
   * autoCreate). Default: off when NODE_ENV=production, where the migration builds them.
   */
  autoIndex?: boolean;
  /** `majority` or a member count (MONGODB_WRITE_CONCERN); unset leaves the URI's or the server's default. */
  writeConcern?: string;
}

/** Index builds on model compile: MONGO_AUTO_INDEX when set, else everywhere but production. */
export function autoIndexDefault(config: { MONGO_AUTO_INDEX?: boolean }, env = process.env): boolean {
  return config.MONGO_AUTO_INDEX ?? env.NODE_ENV !== 'production';
}

/**
 * A dedicated mongoose Connection (models go on it with `conn.model(...)`; the global
 * mongoose singleton is never used). Retries while the server is unreachable; bad
 * credentials or a malformed URI fail at once with DependencyRejectedError.
 */
export async function connectMongo(opts: ConnectMongoOptions): Promise<Connection> {
  const target = `${redactUrl(opts.uri)} (db ${opts.dbName})`;
  const logger = opts.logger.child({ component: 'mongo' });
  const conn = await connectWithRetry(
    { ...opts, dependency: 'mongodb', target, logger, hint: mongoHint, isFatal: isFatalMongoError },
    (signal) => openOnce(opts, signal),
  );
  conn.on('disconnected', () => {
    // A close the service asked for is not an outage: no warning, no talk of reconnecting.
    if (closing.has(conn)) logger.debug({ target }, 'mongodb connection closed');
    else logger.warn({ target }, 'mongodb disconnected; the driver is reconnecting');
  });
  conn.on('reconnected', () => logger.info({ target }, 'mongodb reconnected'));
  conn.on('error', (err: unknown) => logger.error({ target, reason: errorMessage(err) }, 'mongodb error'));
  logger.info({ target }, 'mongodb connected');
  return conn;
}

const closing = new WeakSet<Connection>();

/** Closes a connection from connectMongo on purpose, so its logs do not read as an outage. */
export async function closeMongo(conn: Connection): Promise<void> {
  closing.add(conn);
  await conn.close();
}

async function openOnce(opts: ConnectMongoOptions, signal: AbortSignal | undefined): Promise<Connection> {
  const autoIndex = opts.autoIndex ?? autoIndexDefault({});
  const conn = mongoose.createConnection(opts.uri, {
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 2_000,
    autoIndex,
    autoCreate: autoIndex,
    // Reads default to the primary (the driver's default, stated): a service reads its own writes.
    readPreference: 'primary',
    retryWrites: true,
    ...(opts.writeConcern
      ? { writeConcern: { w: /^\d+$/.test(opts.writeConcern) ? Number(opts.writeConcern) : ('majority' as const) } }
      : {}),
    ...opts.connectOptions,
    dbName: opts.dbName,
  });
  const onAbort = () => void conn.close(true).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await conn.asPromise();
  } catch (err) {
    await conn.close(true).catch(() => {});
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Readiness check: a round trip to the server. */
export async function mongoPing(conn: Connection): Promise<void> {
  if (conn.readyState !== mongoose.ConnectionStates.connected || !conn.db) {
    throw new Error(`connection is ${mongoose.ConnectionStates[conn.readyState] ?? conn.readyState}`);
  }
  await conn.db.command({ ping: 1 });
}

function isFatalMongoError(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; codeName?: string; message?: string };
  return (
    e.name === 'MongoParseError' ||
    e.code === 18 ||
    e.codeName === 'AuthenticationFailed' ||
    /authentication failed/i.test(e.message ?? '')
  );
}

function mongoHint(err: unknown): string {
  const text = errorMessage(err);
  if (/ECONNREFUSED/.test(text)) {
    return (
      'Nothing is listening there: start mongod (npm start runs the mongo-dev server when MONGODB_URI is ' +
      'unset) or fix MONGODB_URI.'
    );
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'The host name does not resolve: check the host in MONGODB_URI.';
  if (/authentication/i.test(text)) return 'Check the user, password and authSource in MONGODB_URI.';
  if (/timed out|timeout/i.test(text)) {
    return (
      'The server did not answer: check network and firewall, and for a replica set its name and that members ' +
      'advertise reachable hosts.'
    );
  }
  return 'Check that MongoDB is running and that MONGODB_URI points at it.';
}
