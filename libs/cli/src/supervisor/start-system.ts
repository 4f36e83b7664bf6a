import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeys, SERVICES, type ServiceName } from '@pixsim/contracts';
import { migrateServices } from '@pixsim/persistence';
import { DATA_FILES, lockDataDir, resolveSecrets, writeGatewayUrl, type SystemSecrets } from './data-dir.js';
import { SupervisorError } from './errors.js';
import { portOrFree } from './free-port.js';
import { checkDependency, checkMongo } from './infra-check.js';
import { createLogSink, type LogSink } from './log-sink.js';
import { ProcessSet, restartPolicy } from './process-set.js';
import {
  mongoDevSpec,
  serviceSpec,
  scriptsFor,
  simulatorSpec,
  type Scripts,
  type ServiceKeys,
} from './process-specs.js';
import { seedSimulatorAccount } from './seed.js';
import { replicaCounts, servicePorts } from './service-ports.js';
import { installSignalHandlers } from './signals.js';
import { systemHandle } from './system-handle.js';
import type { SimulatorAccount, StartSystemOptions, SystemHandle } from './types.js';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

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
            nodeFlags: scripts.nodeFlags(name),
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
    return systemHandle({
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
