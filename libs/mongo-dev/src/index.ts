import { Cursors } from './cursors.js';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { WireServer } from './server.js';
import { loadSnapshot, writeSnapshot } from './snapshot.js';
import { Store } from './store.js';

export type { Logger } from './logger.js';
export { supportedCommands } from './command-dispatcher.js';

export interface StartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Loaded at start when present, written on stop and every `snapshotIntervalMs` when changed. */
  snapshotPath?: string;
  snapshotIntervalMs?: number;
  /**
   * How often TTL indexes expire documents, like mongod's TTL monitor (`ttlMonitorSleepSecs`).
   * Default: `MONGO_DEV_TTL_MONITOR_MS` from the environment, else 60 000.
   */
  ttlMonitorMs?: number;
  logger?: Logger;
}

const DEFAULT_TTL_MONITOR_MS = 60_000;

/** The TTL monitor period: the option, else MONGO_DEV_TTL_MONITOR_MS, else 60 s. */
export function ttlMonitorPeriod(option: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = option ?? (env.MONGO_DEV_TTL_MONITOR_MS ? Number(env.MONGO_DEV_TTL_MONITOR_MS) : DEFAULT_TTL_MONITOR_MS);
  if (!Number.isInteger(raw) || raw <= 0)
    throw new Error(`the TTL monitor period must be a positive integer of milliseconds, got '${String(raw)}'`);
  return raw;
}

export interface MongoDevServer {
  /** `mongodb://127.0.0.1:<port>`: append `/<db>` and query parameters as needed. */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

const uriHost = (host: string): string =>
  host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

export async function start(opts: StartOptions = {}): Promise<MongoDevServer> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? silentLogger;
  const ttlMs = ttlMonitorPeriod(opts.ttlMonitorMs);
  const store = new Store();
  const cursors = new Cursors();
  const { snapshotPath } = opts;
  if (snapshotPath) await loadSnapshot(snapshotPath, store, logger);
  const server = new WireServer(store, cursors, logger);
  const port = await server.listen(opts.port ?? 0, host);

  let savedVersion = store.version;
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    if (!snapshotPath || store.version === savedVersion) return saving;
    const version = store.version;
    saving = saving
      .then(() => writeSnapshot(snapshotPath, store))
      .then(() => void (savedVersion = version))
      .catch((err: unknown) => logger.warn(`mongo-dev: snapshot to ${snapshotPath} failed: ${(err as Error).message}`));
    return saving;
  };
  const timer = snapshotPath ? setInterval(() => void save(), opts.snapshotIntervalMs ?? 5_000) : undefined;
  timer?.unref();
  // Runs between commands (they are synchronous), so a pass never splits a write.
  const ttlTimer = setInterval(() => {
    const expired = store.expire(Date.now());
    if (expired) logger.info(`mongo-dev: TTL monitor removed ${expired} expired documents`);
  }, ttlMs);
  ttlTimer.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(timer);
      clearInterval(ttlTimer);
      await server.close();
      cursors.clear();
      await save();
    })());

  return { uri: `mongodb://${uriHost(host)}:${port}`, port, stop };
}
