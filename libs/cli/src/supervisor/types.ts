import type { ServiceName } from '@pixsim/contracts';
import type { LogMode, LogSink } from './log-sink.js';
import type { ProcessView } from './managed-process.js';
import type { RestartPolicy } from './restart-policy.js';

export interface SimulatorAccount {
  apiKey: string;
  credits: number;
  maxConcurrent: number;
}

export interface SimulatorOptions {
  /** Time a generation stays "generating" (the simulator's default when unset). */
  latencyMs?: number;
  /** Default: one account with the data dir's key, 100000 credits, 5 concurrent. */
  accounts?: SimulatorAccount[];
  /** More command-line flags for `pixverse-sim`. */
  args?: string[];
  /** 0 (default): a free port. */
  port?: number;
}

export interface StartSystemOptions {
  /** Which services to run (default: all five). */
  services?: readonly ServiceName[];
  /**
   * Base environment: read for REDIS_URL, NATS_URL, MONGODB_URI, STREAM_PREFIX, PORT, PIXSIM_*; inherited by
   * children. Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Added to every service's environment. */
  commonEnv?: Record<string, string>;
  /** Added to one service's environment; wins over everything else. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Stream prefix (default STREAM_PREFIX or "pixsim"). */
  prefix?: string;
  /**
   * Gateway PORT / workers' OPS_PORT of the first replica; 0 picks a free port for every
   * replica. Default 8000 (or PORT), 9101-9104. Replica i of a service asked a port gets
   * that port + i − 1; of a worker on its default, the default + 100 × (i − 1).
   */
  ports?: Partial<Record<ServiceName, number>>;
  /**
   * Processes of each service (default 1), e.g. 2, or { dispatcher: 3 }. Each replica has
   * its own CONSUMER_NAME (<service>-<i>), port, restarts and, with more than one, the
   * process name <service>#<i> in the log lines and the handle.
   */
  replicas?: number | Partial<Record<ServiceName, number>>;
  /** MongoDB for the services; default MONGODB_URI, and when that is unset a mongo-dev child. */
  mongoUri?: string;
  /** When set, each service gets MONGODB_DB=<mongoDbPrefix>-<service>. */
  mongoDbPrefix?: string;
  /** The PixVerse simulator; false to run none (PIXVERSE_BASE_URL then comes from the env). */
  simulator?: SimulatorOptions | false;
  /** Restart crashed children (default true), or tune the policy. */
  restart?: boolean | Partial<RestartPolicy>;
  /** Where keys, the admin token and the mongo-dev snapshot live (default <repo>/.pixsim); null keeps nothing. */
  dataDir?: string | null;
  adminToken?: string;
  /** PIXSIM_SEALING_PRIVATE_KEYS for the dispatcher and the poller (default: the env, else kept in the data dir). */
  sealingPrivateKeys?: string;
  /** PIXSIM_SECRET_KEY of the older symmetric form, for the dispatcher and the poller only (migration). */
  legacySecretKey?: string;
  /** Give the gateway the simulator's first account when it has none (default true). */
  seedAccount?: boolean;
  /** pretty (default), json (raw pino lines), quiet (memory only; see handle.logs()). */
  logs?: LogMode;
  color?: boolean;
  /** Receives each printed line; stdout by default. */
  write?: (line: string) => void;
  /** Your own sink (e.g. to keep the lines of a failed start); overrides logs/color/write. */
  sink?: LogSink;
  readyTimeoutMs?: number;
  /** How long a child gets between SIGTERM and SIGKILL (default 15 s). */
  stopGraceMs?: number;
  /**
   * Stop everything on SIGINT/SIGTERM of this process, then exit (default false: a library does not take
   * signals unasked).
   */
  handleSignals?: boolean;
  /**
   * Run the compiled build in this directory (`npm run build` writes dist/): each service as
   * `node --import <dir>/telemetry-register.js <dir>/services/<name>/main.js`, mongo-dev and the
   * simulator from `<dir>/mongo-dev.js` and `<dir>/pixverse-sim.js`. Unset: the TypeScript
   * sources through tsx. `entry` and `nodeImports` still win for the services.
   */
  compiled?: string;
  /** The script a service runs (default services/<name>/src/main.ts, or the compiled one). */
  entry?: (name: ServiceName) => string;
  /**
   * `node --import` modules for services (default tsx and @pixsim/kit/telemetry-register, or the compiled
   * register).
   */
  nodeImports?: readonly string[];
  repoRoot?: string;
}

export interface SystemHandle {
  /** The first gateway replica's address. */
  gatewayUrl: string | null;
  /** Every gateway replica's address, first to last. */
  gatewayUrls: string[];
  adminToken: string;
  simulatorUrl: string | null;
  simulatorAccounts: SimulatorAccount[];
  mongoUri: string;
  prefix: string;
  dataDir: string | null;
  /** The gateway's PORT and each worker's OPS_PORT (/health /ready /metrics), of the first replica. */
  ports: Partial<Record<ServiceName, number>>;
  /** The same for every replica, first to last. */
  replicaPorts: Partial<Record<ServiceName, number[]>>;
  /** The process names of each service's replicas: ['dispatcher'] alone, ['dispatcher#1', 'dispatcher#2'] for two. */
  replicas: Partial<Record<ServiceName, string[]>>;
  /**
   * Processes by name (a service, or one replica of it), plus "mongo-dev" and "pixverse-sim" when the
   * supervisor runs them.
   */
  processes: Record<string, ProcessView>;
  /**
   * Signals one process (SIGKILL by default); the supervisor restarts it unless `restart: false`. Resolves
   * when it is gone. A service with several replicas is named by replica (`dispatcher#2`).
   */
  kill(name: string, signal?: NodeJS.Signals, opts?: { restart?: boolean }): Promise<void>;
  /**
   * Starts a child stopped with `restart: false` again and waits until it is ready;
   * `env` changes its settings from then on (a rolling change, as a deployment would make).
   */
  start(name: string, opts?: { env?: Record<string, string> }): Promise<void>;
  /** Waits until a process is ready; a service's name waits for every replica of it. */
  waitReady(name: string, timeoutMs?: number): Promise<void>;
  /** Services first (SIGTERM, grace, SIGKILL), infrastructure last. Idempotent. */
  stop(): Promise<void>;
  /** Recent lines of every child and of the supervisor. */
  logs(): string[];
}
