import path from 'node:path';
import type { ServiceName } from '@pixsim/contracts';
import type { ProcessSpec } from './managed-process.js';
import type { SimulatorAccount } from './types.js';

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  gateway: 8000,
  'job-intake': 9101,
  dispatcher: 9102,
  poller: 9103,
  asset: 9104,
};

/** Replica i (from 1) of a worker listens on its default port + REPLICA_PORT_STEP × (i − 1): 9101, 9201, … */
export const REPLICA_PORT_STEP = 100;

/**
 * The process name of one replica: the service's own name when it runs alone (as it
 * always has), `<service>#<i>` when it runs several, so its log lines say which one.
 */
export function replicaProcessName(name: ServiceName, replica: number, count: number): string {
  return count > 1 ? `${name}#${replica}` : name;
}

export const DEFAULT_NODE_IMPORTS = ['tsx', '@pixsim/kit/telemetry-register'] as const;

/**
 * V8 flags of a service process, here and in the image (deploy/docker-entrypoint.sh): the
 * young generation's semi-space size, in MiB. V8 grows it to 16 and keeps it; 2 holds an
 * idle worker about 25 MiB smaller, and a worker's garbage dies young enough that the extra
 * scavenges cost it nothing measurable. The gateway's requests do not: at 100 connections
 * 2 MiB left it scavenging half its time, and 8 MiB serves about 55% more requests per
 * second with half the p99. Nor do the poller's thousands of status calls a second: with
 * 2 MiB it scavenged a quarter of the time, and 16 MiB cut its CPU per poll by about a
 * quarter, its peak resident memory unchanged (docs/performance.md has the measurements).
 */
const SEMI_SPACE_MIB: Readonly<Record<ServiceName, number>> = {
  gateway: 8,
  'job-intake': 2,
  dispatcher: 2,
  poller: 16,
  asset: 2,
};

/**
 * How much V8 lets the old generation grow past what survived the last full collection
 * before it collects again, in percent. Left to itself it picks a factor up to 4× on a
 * heap this small, so a burst's short-lived garbage doubled a worker's resident memory
 * (the dispatcher 97 → 215 MiB over 2,000 jobs) though little of it was live. At 30% the
 * same burst peaked at 98–145 MiB across the five services for the same CPU per job.
 */
const HEAP_GROWING_PERCENT = 30;

/**
 * Services whose WebAssembly stays on V8's baseline compiler (Liftoff). The only WebAssembly
 * a service runs is undici's HTTP parser (llhttp). Left to itself, V8 recompiles its hot
 * functions with TurboFan on a background thread: 35 MiB of compiler memory at the peak,
 * freed into that thread's malloc arena and kept there, so the RSS crept up by a few MiB
 * each time another parser function turned hot. An idle dispatcher, whose periodic provider
 * calls kept doing that, went from 91 to 98 MiB in four minutes; with Liftoff only it read
 * 93–94 after four minutes and 99 after ten, against 103 before. A service that parses one provider response per job loses nothing measurable.
 * The poller parses thousands a second, so it keeps the optimising tier.
 */
const WASM_BASELINE_ONLY: Readonly<Record<ServiceName, boolean>> = {
  gateway: true,
  'job-intake': true,
  dispatcher: true,
  poller: false,
  asset: true,
};

export const serviceNodeFlags = (name: ServiceName): readonly string[] => [
  `--max-semi-space-size=${SEMI_SPACE_MIB[name]}`,
  `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  ...(WASM_BASELINE_ONLY[name] ? ['--liftoff-only'] : []),
];

/** What each process runs: the TypeScript sources through tsx, or the compiled build in `compiled`. */
export interface Scripts {
  service(name: ServiceName): string;
  nodeFlags(name: ServiceName): readonly string[];
  nodeImports: readonly string[];
  mongoDev: string;
  simulator: string;
}

export function scriptsFor(repoRoot: string, compiled: string | undefined): Scripts {
  if (!compiled)
    return {
      service: (name) => path.join(repoRoot, 'services', name, 'src/main.ts'),
      nodeFlags: () => [],
      nodeImports: DEFAULT_NODE_IMPORTS,
      mongoDev: path.join(repoRoot, 'libs/mongo-dev/bin/mongo-dev.js'),
      simulator: path.join(repoRoot, 'libs/pixverse-sim/bin/pixverse-sim.js'),
    };
  const dir = path.resolve(repoRoot, compiled);
  // No --enable-source-maps: Node then parses the map of every module it loads and keeps it,
  // tens of MiB per process. The maps stay beside the files; NODE_OPTIONS=--enable-source-maps
  // (inherited by every child) turns them on when a stack trace must name the TypeScript lines.
  return {
    service: (name) => path.join(dir, 'services', name, 'main.js'),
    nodeFlags: serviceNodeFlags,
    nodeImports: [path.join(dir, 'telemetry-register.js')],
    mongoDev: path.join(dir, 'mongo-dev.js'),
    simulator: path.join(dir, 'pixverse-sim.js'),
  };
}

/** Variables that belong to one process and must not leak from the supervisor's own env into the others. */
const PER_PROCESS = [
  'PORT',
  'OPS_PORT',
  'MONGODB_DB',
  'CONSUMER_NAME',
  'OTEL_SERVICE_NAME',
  'PIXSIM_ADMIN_TOKEN',
  // Keys go only to the services that need them (ServiceKeys), never through the shared env.
  'PIXSIM_SEALING_PUBLIC_KEY',
  'PIXSIM_SEALING_PRIVATE_KEYS',
  'PIXSIM_SECRET_KEY',
];

/** The key variables of each service that has any. */
export type ServiceKeys = Partial<Record<ServiceName, Record<string, string>>>;

export interface ServiceSpecInput {
  name: ServiceName;
  /** Which replica of the service this is (from 1), and how many there are. */
  replica: number;
  replicas: number;
  repoRoot: string;
  baseEnv: NodeJS.ProcessEnv;
  /** What every service shares: REDIS_URL, NATS_URL, MONGODB_URI, STREAM_PREFIX, PIXVERSE_BASE_URL. */
  shared: Record<string, string>;
  port: number;
  adminToken: string;
  jwtSecret: string;
  keys?: ServiceKeys;
  mongoDbPrefix: string | undefined;
  overrides: Record<string, string>;
  entry: string;
  /** V8 and Node flags before the imports (none by default). */
  nodeFlags?: readonly string[];
  nodeImports: readonly string[];
}

export function serviceSpec(input: ServiceSpecInput): ProcessSpec {
  const { name, port, replica } = input;
  const env: NodeJS.ProcessEnv = { ...input.baseEnv };
  for (const key of PER_PROCESS) delete env[key];
  Object.assign(env, input.shared, {
    OTEL_SERVICE_NAME: name,
    // Stable across restarts, so a restarted service reads its own pending entries first
    // instead of waiting for another replica to reclaim them; one per replica, since two
    // consumers of one name would read each other's pending entries as their own.
    CONSUMER_NAME: `${name}-${replica}`,
    ...(name === 'gateway'
      ? { PORT: String(port), PIXSIM_ADMIN_TOKEN: input.adminToken, JWT_SECRET: input.jwtSecret }
      : { OPS_PORT: String(port) }),
    // A system on a laptop answers on loopback only, unless HOST / OPS_HOST say otherwise.
    ...(name === 'gateway'
      ? { HOST: input.baseEnv.HOST || '127.0.0.1' }
      : { OPS_HOST: input.baseEnv.OPS_HOST || '127.0.0.1' }),
    ...input.keys?.[name],
    ...(input.mongoDbPrefix ? { MONGODB_DB: `${input.mongoDbPrefix}-${name}` } : {}),
    ...input.overrides,
  });
  return {
    name: replicaProcessName(name, replica, input.replicas),
    command: process.execPath,
    args: [...(input.nodeFlags ?? []), ...input.nodeImports.flatMap((m) => ['--import', m]), input.entry],
    cwd: input.repoRoot,
    env,
    ready: { url: `http://127.0.0.1:${port}/ready` },
  };
}

export function mongoDevSpec(
  repoRoot: string,
  baseEnv: NodeJS.ProcessEnv,
  port: number,
  dataDir: string | null,
  script: string = path.join(repoRoot, 'libs/mongo-dev/bin/mongo-dev.js'),
): ProcessSpec {
  const snapshot = dataDir ? ['--snapshot', path.join(dataDir, 'mongo.snapshot')] : [];
  return {
    name: 'mongo-dev',
    command: process.execPath,
    args: [script, '--port', String(port), ...snapshot],
    cwd: repoRoot,
    env: baseEnv,
    // It prints "mongo-dev listening: mongodb://127.0.0.1:N" once it accepts connections.
    ready: { line: /(mongodb:\/\/[^\s"']+)/ },
  };
}

export function simulatorSpec(
  repoRoot: string,
  baseEnv: NodeJS.ProcessEnv,
  port: number,
  opts: { latencyMs?: number; accounts: SimulatorAccount[]; args?: string[]; statePath?: string; script?: string },
): ProcessSpec {
  const latency = opts.latencyMs === undefined ? [] : ['--latency', String(opts.latencyMs)];
  const state = opts.statePath ? ['--state', opts.statePath] : [];
  // Through the environment, not the command line, where `ps` would show the keys.
  const accounts = opts.accounts.map((a) => `${a.apiKey}:${a.credits}:${a.maxConcurrent}`).join(',');
  return {
    name: 'pixverse-sim',
    command: process.execPath,
    args: [
      opts.script ?? path.join(repoRoot, 'libs/pixverse-sim/bin/pixverse-sim.js'),
      '--port',
      String(port),
      ...latency,
      ...state,
      ...(opts.args ?? []),
    ],
    cwd: repoRoot,
    env: { ...baseEnv, PIXVERSE_SIM_ACCOUNTS: accounts },
    // It prints "pixverse-sim listening: http://127.0.0.1:N" once it accepts requests.
    ready: { line: /pixverse-sim listening: (https?:\/\/[^\s"']+)/ },
  };
}
