import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeys, SERVICES, type ServiceName } from '@pixsim/contracts';
import { migrateServices } from '@pixsim/persistence';
import { DATA_FILES, lockDataDir, resolveSecrets, writeGatewayUrl, type SystemSecrets } from './data-dir.js';
import { SupervisorError } from './errors.js';
import { freePort, isPortFree, portOrFree } from './free-port.js';
import { checkDependency, checkMongo } from './infra-check.js';
import { createLogSink, type LogSink } from './log-sink.js';
import { ManagedProcess, type ProcessSpec } from './managed-process.js';
import {
  DEFAULT_PORTS,
  mongoDevSpec,
  REPLICA_PORT_STEP,
  replicaProcessName,
  serviceSpec,
  scriptsFor,
  simulatorSpec,
  type Scripts,
  type ServiceKeys,
} from './process-specs.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './restart-policy.js';
import { seedSimulatorAccount } from './seed.js';
import { installSignalHandlers } from './signals.js';
import type { SimulatorAccount, StartSystemOptions, SystemHandle } from './types.js';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

function restartPolicy(opt: StartSystemOptions['restart']): RestartPolicy {
  if (opt === undefined || opt === true) return DEFAULT_RESTART_POLICY;
  if (opt === false) return { ...DEFAULT_RESTART_POLICY, enabled: false };
  return { ...DEFAULT_RESTART_POLICY, ...opt };
}

/** The children of one system, in start order, with the bookkeeping to stop them in reverse. */
class ProcessSet {
  readonly infra = new Map<string, ManagedProcess>();
  readonly services = new Map<string, ManagedProcess>();
  constructor(
    private readonly policy: RestartPolicy,
    private readonly sink: LogSink,
  ) {}

  add(group: 'infra' | 'services', spec: ProcessSpec): ManagedProcess {
    const p = new ManagedProcess(spec, this.policy, this.sink);
    this[group].set(spec.name, p);
    p.start();
    return p;
  }

  get(name: string): ManagedProcess {
    const p = this.services.get(name) ?? this.infra.get(name);
    if (!p) {
      const replicas = this.replicasOf(name);
      throw new SupervisorError(
        'UNKNOWN_PROCESS',
        replicas.length
          ? `${name} runs ${replicas.length} replicas: name one (${replicas.map((x) => x.name).join(', ')})`
          : `no process named ${JSON.stringify(name)} (have: ${[...this.all()].map((x) => x.name).join(', ')})`,
      );
    }
    return p;
  }

  /** A process by its name, or every replica of a service by the service's name. */
  getAll(name: string): ManagedProcess[] {
    const p = this.services.get(name) ?? this.infra.get(name);
    if (p) return [p];
    const replicas = this.replicasOf(name);
    return replicas.length ? replicas : [this.get(name)];
  }

  private replicasOf(service: string): ManagedProcess[] {
    return [...this.services.values()].filter((p) => p.name.startsWith(`${service}#`));
  }

  *all(): Iterable<ManagedProcess> {
    yield* this.services.values();
    yield* this.infra.values();
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all([...this.services.values()].map((p) => p.stop(graceMs)));
    await Promise.all([...this.infra.values()].map((p) => p.stop(graceMs)));
  }
}

/**
 * Runs the whole system as separate OS processes: mongo-dev (when no MongoDB is given),
 * the PixVerse simulator, and the services; waits until each is ready, seeds the
 * simulator's account, and keeps everything running until `stop()`.
 */
export async function startSystem(opts: StartSystemOptions = {}): Promise<SystemHandle> {
  const env = opts.env ?? process.env;
  const repoRoot = opts.repoRoot ?? REPO_ROOT;
  const prefix = streamPrefix(opts.prefix || env.STREAM_PREFIX || 'pixsim');
  const dataDir = opts.dataDir === undefined ? path.join(repoRoot, '.pixsim') : opts.dataDir;
  const names = opts.services ?? SERVICES;
  const counts = replicaCounts(names, opts.replicas);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const stopGraceMs = opts.stopGraceMs ?? 15_000;
  const sink = opts.sink ?? createLogSink({ mode: opts.logs, write: opts.write, color: opts.color });
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';
  const natsUrl = env.NATS_URL || 'nats://127.0.0.1:4222';

  // Empty means unset, as in the services' own config (an `.env` line `MONGODB_URI=`).
  const givenMongo = opts.mongoUri || env.MONGODB_URI || undefined;
  await Promise.all([
    checkDependency('redis', redisUrl),
    checkDependency('nats', natsUrl),
    ...(givenMongo ? [checkMongo(givenMongo)] : []),
  ]);
  const lock = dataDir ? await lockDataDir(dataDir) : null;
  const secrets = await resolveSecrets(dataDir, {
    sealingPrivateKeys: opts.sealingPrivateKeys || env.PIXSIM_SEALING_PRIVATE_KEYS || undefined,
    legacySecretKey: opts.legacySecretKey || env.PIXSIM_SECRET_KEY || undefined,
    adminToken: opts.adminToken || env.PIXSIM_ADMIN_TOKEN || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
  }).catch((err: unknown) => {
    lock?.release();
    throw err;
  });
  const simAccounts: SimulatorAccount[] =
    opts.simulator === false
      ? []
      : (opts.simulator?.accounts ?? [{ apiKey: secrets.simAccountKey, credits: 100_000, maxConcurrent: 5 }]);

  const set = new ProcessSet(restartPolicy(opts.restart), sink);
  const exitHook = (): void => {
    for (const p of set.all()) p.killNow();
    lock?.release();
  };
  process.on('exit', exitHook);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= set.stop(stopGraceMs).finally(() => {
      lock?.release();
      process.off('exit', exitHook);
      uninstallSignals();
    });
    return stopping;
  };
  const uninstallSignals = opts.handleSignals ? installSignalHandlers(sink, stop, exitHook) : () => {};

  try {
    // Ports first: a taken gateway port stops the start before anything runs.
    const ports = await servicePorts(names, counts, opts.ports, env, sink);
    const scripts = scriptsFor(repoRoot, opts.compiled);
    const infra = await startInfra(opts, set, {
      env,
      repoRoot,
      dataDir,
      simAccounts,
      readyTimeoutMs,
      givenMongo,
      scripts,
    });
    const shared: Record<string, string> = {
      REDIS_URL: redisUrl,
      NATS_URL: natsUrl,
      MONGODB_URI: infra.mongoUri,
      STREAM_PREFIX: prefix,
      ...(infra.simulatorUrl ? { PIXVERSE_BASE_URL: infra.simulatorUrl } : {}),
      ...opts.commonEnv,
    };
    // Indexes are built on purpose, before any service runs (they build none in production).
    await migrateServices({
      uri: infra.mongoUri,
      repoRoot,
      services: names,
      dbName: (name) =>
        opts.serviceEnv?.[name as ServiceName]?.MONGODB_DB ??
        (opts.mongoDbPrefix ? `${opts.mongoDbPrefix}-${name}` : `pixsim-${name}`),
      log: (line) => sink.supervisor('info', `migrate: ${line}`),
    });
    const replicas: Partial<Record<ServiceName, string[]>> = {};
    for (const name of names) {
      const count = counts[name]!;
      replicas[name] = [];
      for (let replica = 1; replica <= count; replica++) {
        const p = set.add(
          'services',
          serviceSpec({
            name,
            replica,
            replicas: count,
            repoRoot,
            baseEnv: env,
            shared,
            port: ports[name]![replica - 1]!,
            adminToken: secrets.adminToken,
            jwtSecret: secrets.jwtSecret,
            keys: sealingEnv(secrets),
            mongoDbPrefix: opts.mongoDbPrefix,
            overrides: opts.serviceEnv?.[name] ?? {},
            entry: opts.entry?.(name) ?? scripts.service(name),
            nodeFlags: scripts.nodeFlags,
            nodeImports: opts.nodeImports ?? scripts.nodeImports,
          }),
        );
        replicas[name].push(p.name);
      }
    }
    await Promise.all([...set.services.values()].map((p) => p.waitReady(readyTimeoutMs)));
    const gatewayUrls = (ports.gateway ?? []).map((port) => `http://127.0.0.1:${port}`);
    const gatewayUrl = gatewayUrls[0] ?? null;
    await afterReady(opts, sink, { gatewayUrl, secrets, simAccounts, dataDir });
    return handle({
      set,
      sink,
      stop,
      readyTimeoutMs,
      gatewayUrl,
      gatewayUrls,
      replicas,
      ports,
      secrets,
      simAccounts,
      prefix,
      dataDir,
      ...infra,
    });
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The stream prefix, or a start error naming the setting (not a stack trace). */
function streamPrefix(raw: string): string {
  try {
    return createKeys(raw).prefix;
  } catch (err) {
    throw new SupervisorError('BAD_SETTING', `STREAM_PREFIX ${JSON.stringify(raw)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function startInfra(
  opts: StartSystemOptions,
  set: ProcessSet,
  ctx: {
    env: NodeJS.ProcessEnv;
    repoRoot: string;
    dataDir: string | null;
    simAccounts: SimulatorAccount[];
    readyTimeoutMs: number;
    givenMongo?: string;
    scripts: Scripts;
  },
): Promise<{ mongoUri: string; simulatorUrl: string | null }> {
  const given = ctx.givenMongo;
  const mongo = given
    ? null
    : set.add('infra', mongoDevSpec(ctx.repoRoot, ctx.env, await portOrFree(0), ctx.dataDir, ctx.scripts.mongoDev));
  const sim =
    opts.simulator === false
      ? null
      : set.add(
          'infra',
          simulatorSpec(ctx.repoRoot, ctx.env, await portOrFree(opts.simulator?.port ?? 0), {
            ...opts.simulator,
            accounts: ctx.simAccounts,
            script: ctx.scripts.simulator,
            ...(ctx.dataDir ? { statePath: path.join(ctx.dataDir, DATA_FILES.simState) } : {}),
          }),
        );
  await Promise.all([...set.infra.values()].map((p) => p.waitReady(ctx.readyTimeoutMs)));
  return {
    mongoUri: given ?? mongo!.readyLine![1]!,
    simulatorUrl: sim ? sim.readyLine![1]!.replace(/\/+$/, '') : null,
  };
}

/** How many replicas of each service: a number for all, or per service; 1 where unsaid. */
function replicaCounts(
  names: readonly ServiceName[],
  given: StartSystemOptions['replicas'],
): Record<ServiceName, number> {
  const out = {} as Record<ServiceName, number>;
  for (const name of names) {
    const n = typeof given === 'number' ? given : (given?.[name] ?? 1);
    if (!Number.isInteger(n) || n < 1 || n > 32)
      throw new SupervisorError('BAD_SETTING', `replicas of ${name}: ${n} (expected a whole number from 1 to 32)`);
    out[name] = n;
  }
  return out;
}

/**
 * Each replica's port: the one asked for (+ i − 1 for replica i), else the default. A
 * worker's default side port that is taken (a second system on this machine, say) is
 * swapped for a free one, since nothing outside needs to know it; a gateway's port is the
 * system's address, so a taken one stops the start with what to do.
 */
async function servicePorts(
  names: readonly ServiceName[],
  counts: Record<ServiceName, number>,
  wanted: StartSystemOptions['ports'],
  env: NodeJS.ProcessEnv,
  sink: LogSink,
): Promise<Partial<Record<ServiceName, number[]>>> {
  const out: Partial<Record<ServiceName, number[]>> = {};
  const taken = (port: number, what: string) =>
    new SupervisorError(
      'PORT_IN_USE',
      `port ${port} (${what}) is in use (another npm start?): stop what holds it (\`ss -ltnp 'sport = :${port}'\` names it), or set PORT to another port`,
    );
  for (const name of names) {
    const fromEnv = name === 'gateway' && env.PORT ? Number(env.PORT) : undefined;
    const asked = wanted?.[name] ?? fromEnv;
    const ports: number[] = (out[name] = []);
    for (let i = 0; i < counts[name]; i++) {
      const label = replicaProcessName(name, i + 1, counts[name]);
      if (asked === 0) {
        ports.push(await freePort());
        continue;
      }
      if (asked !== undefined) {
        // A port asked for is the one the system is reached on: taken, it stops the start.
        const port = asked + i;
        if (!(await isPortFree(port)))
          throw taken(port, fromEnv === asked ? (i ? `PORT+${i}, ${label}` : 'PORT') : `${label}'s port`);
        ports.push(port);
        continue;
      }
      const port = DEFAULT_PORTS[name] + (name === 'gateway' ? i : REPLICA_PORT_STEP * i);
      if (await isPortFree(port)) {
        ports.push(port);
      } else if (name === 'gateway') {
        throw taken(port, i ? `${label}'s default` : "the gateway's default");
      } else {
        const free = await freePort();
        ports.push(free);
        sink.supervisor('info', `port ${port} is in use; ${label} serves /health /ready /metrics on ${free} instead`);
      }
    }
  }
  return out;
}

async function afterReady(
  opts: StartSystemOptions,
  sink: LogSink,
  ctx: { gatewayUrl: string | null; secrets: SystemSecrets; simAccounts: SimulatorAccount[]; dataDir: string | null },
): Promise<void> {
  const account = ctx.simAccounts[0];
  if (ctx.gatewayUrl && account && opts.seedAccount !== false) {
    const outcome = await seedSimulatorAccount({
      gatewayUrl: ctx.gatewayUrl,
      adminToken: ctx.secrets.adminToken,
      account,
    });
    sink.supervisor(
      'info',
      outcome === 'seeded'
        ? 'seeded the simulator account into the gateway'
        : 'the gateway already has provider accounts; not seeding',
    );
  }
  if (ctx.gatewayUrl && ctx.dataDir) await writeGatewayUrl(ctx.dataDir, ctx.gatewayUrl);
}

function handle(ctx: {
  set: ProcessSet;
  sink: LogSink;
  stop: () => Promise<void>;
  readyTimeoutMs: number;
  gatewayUrl: string | null;
  gatewayUrls: string[];
  replicas: Partial<Record<ServiceName, string[]>>;
  ports: Partial<Record<ServiceName, number[]>>;
  secrets: SystemSecrets;
  simAccounts: SimulatorAccount[];
  prefix: string;
  dataDir: string | null;
  mongoUri: string;
  simulatorUrl: string | null;
}): SystemHandle {
  const { set } = ctx;
  return {
    gatewayUrl: ctx.gatewayUrl,
    gatewayUrls: ctx.gatewayUrls,
    adminToken: ctx.secrets.adminToken,
    simulatorUrl: ctx.simulatorUrl,
    simulatorAccounts: ctx.simAccounts,
    mongoUri: ctx.mongoUri,
    prefix: ctx.prefix,
    dataDir: ctx.dataDir,
    ports: Object.fromEntries(Object.entries(ctx.ports).map(([name, ports]) => [name, ports[0]])),
    replicaPorts: ctx.ports,
    replicas: ctx.replicas,
    processes: Object.fromEntries([...set.all()].map((p) => [p.name, p])),
    kill: async (name, signal = 'SIGKILL', o) => set.get(name).kill(signal, o),
    start: async (name, opts) => {
      const p = set.get(name);
      p.start(opts);
      await p.waitReady(ctx.readyTimeoutMs);
    },
    waitReady: async (name, timeoutMs) => {
      await Promise.all(set.getAll(name).map((p) => p.waitReady(timeoutMs ?? ctx.readyTimeoutMs)));
    },
    stop: ctx.stop,
    logs: () => ctx.sink.lines(),
  };
}

/**
 * Each service gets only the keys it needs: the gateway the public key (it seals and
 * cannot open), the dispatcher and the poller the private keys (and the older symmetric
 * key while values sealed under it remain), the others none.
 */
function sealingEnv(secrets: SystemSecrets): ServiceKeys {
  const opening = {
    PIXSIM_SEALING_PRIVATE_KEYS: secrets.sealingPrivateKeys,
    ...(secrets.legacySecretKey ? { PIXSIM_SECRET_KEY: secrets.legacySecretKey } : {}),
  };
  return { gateway: { PIXSIM_SEALING_PUBLIC_KEY: secrets.sealingPublicKey }, dispatcher: opening, poller: opening };
}
