import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { JobResponse, ServiceName } from '@pixsim/contracts';
import { createLogSink, startSystem, type RestartPolicy, type SimulatorAccount, type SystemHandle } from '@pixsim/cli';
import type { FaultConfig, SimStats } from '@pixsim/pixverse-sim';
import { deleteKeys, mongoUri, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { compiledBuild } from './compiled.js';

/**
 * The whole system for a vitest test, running the compiled build production runs (dist/,
 * rebuilt first, once per test process, when a source is newer; PIXSIM_TEST_FROM_SOURCE=1
 * runs the TypeScript through tsx instead): a unique stream prefix and MongoDB databases,
 * free ports, the PixVerse simulator, quiet logs kept in memory (printed when a test
 * fails, or always with PIXSIM_TEST_LOGS=1), and helpers to drive it over HTTP.
 */
export interface TestSystemOptions {
  services?: ServiceName[];
  /** Added to every service's environment (defaults: POLL_INTERVAL_S=1). */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  simulator?: { latencyMs?: number; accounts?: SimulatorAccount[]; args?: string[] };
  /** Give the gateway the simulator's first account (default true). */
  seedAccount?: boolean;
  /** Default: restart after 250 ms, doubling. */
  restart?: boolean | Partial<RestartPolicy>;
  readyTimeoutMs?: number;
  /** Run stand-ins instead of the real services (the harness's own tests). */
  entry?: (name: ServiceName) => string;
  nodeImports?: readonly string[];
  /**
   * PIXSIM_SEALING_PRIVATE_KEYS of the dispatcher and the poller (default: a new key pair); the gateway gets
   * the public key.
   */
  sealingPrivateKeys?: string;
  /** PIXSIM_SECRET_KEY (the older symmetric form) of the dispatcher and the poller. */
  legacySecretKey?: string;
  /** Fixed ports for some services (the rest get free ones), e.g. for a webhook URL known in advance. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Processes of each service (default 1); with more, each is named `<service>#<i>` (e.g. for `kill`). */
  replicas?: number | Partial<Record<ServiceName, number>>;
}

/** A job as the gateway answers it (tests may look for fields it does not promise). */
export type Job = JobResponse & { [field: string]: unknown };

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestSystem extends SystemHandle {
  /** A gateway call as admin. Never throws on a non-2xx answer: tests look at `status`. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** The same system with `api`, `waitForJob` and `waitForAll` going through one gateway replica (0 = the first). */
  on(gateway: number): TestSystem;
  simStats(): Promise<SimStats>;
  setFaults(faults: Partial<FaultConfig>): Promise<FaultConfig>;
  addSimAccount(account: SimulatorAccount): Promise<void>;
  /** Polls the job until `predicate` holds (default: a terminal status). */
  waitForJob(id: string, predicate?: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
  /** Waits until every job is in one of `statuses`, reading the job list in pages rather than job by job. */
  waitForAll(ids: readonly string[], statuses: readonly Job['status'][], timeoutMs?: number): Promise<Job[]>;
  /** Prints every line the system logged so far to stderr. */
  dumpLogs(reason?: string): void;
}

const TERMINAL: readonly Job['status'][] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export async function startTestSystem(opts: TestSystemOptions = {}): Promise<TestSystem> {
  const uri = mongoUri();
  const prefix = uniqueName('t');
  const services = opts.services ?? ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'];
  const sink = createLogSink({
    mode: process.env.PIXSIM_TEST_LOGS === '1' ? 'pretty' : 'quiet',
    write: (l) => void process.stderr.write(`${l}\n`),
  });
  const dumpLogs = (reason = 'logs'): void => {
    process.stderr.write(
      `\n----- pixsim system ${prefix}: ${reason} -----\n${sink.lines().join('\n')}\n----- end of ${prefix} -----\n`,
    );
  };
  const compiled = await compiledBuild();
  let sys: SystemHandle;
  try {
    sys = await startSystem({
      services,
      prefix,
      compiled,
      mongoUri: uri,
      mongoDbPrefix: prefix,
      dataDir: null,
      sink,
      sealingPrivateKeys: opts.sealingPrivateKeys,
      legacySecretKey: opts.legacySecretKey,
      ports: { ...Object.fromEntries(services.map((s) => [s, 0])), ...opts.ports },
      simulator: { latencyMs: 0, ...opts.simulator },
      seedAccount: opts.seedAccount ?? true,
      commonEnv: { POLL_INTERVAL_S: '1', ...opts.env },
      serviceEnv: opts.serviceEnv,
      restart: opts.restart ?? { initialDelayMs: 250 },
      readyTimeoutMs: opts.readyTimeoutMs ?? 60_000,
      stopGraceMs: 10_000,
      entry: opts.entry,
      nodeImports: opts.nodeImports,
      replicas: opts.replicas,
    });
  } catch (err) {
    dumpLogs(`failed to start: ${(err as Error).message.split('\n')[0]}`);
    await cleanup(prefix, services, uri);
    throw err;
  }
  return withHelpers(sys, { services, uri, dumpLogs });
}

function withHelpers(
  sys: SystemHandle,
  ctx: { services: ServiceName[]; uri: string; dumpLogs(reason?: string): void },
): TestSystem {
  const apiOn =
    (gateway: number): TestSystem['api'] =>
    async (method, path, body, headers = {}) => {
      const url = sys.gatewayUrls[gateway];
      if (!url) throw new Error(`this test system runs no gateway #${gateway + 1} (${sys.gatewayUrls.length} in all)`);
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${sys.adminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* keep text */
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    };
  const sim = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    if (!sys.simulatorUrl) throw new Error('this test system runs no simulator');
    const res = await fetch(`${sys.simulatorUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  let stopped: Promise<void> | undefined;
  const through = (gateway: number) => {
    const api = apiOn(gateway);
    return {
      api,
      waitForJob: (id: string, predicate = (j: Job) => TERMINAL.includes(j.status), timeoutMs = 30_000) =>
        waitForJob(api, id, predicate, timeoutMs),
      waitForAll: (ids: readonly string[], statuses: readonly Job['status'][], timeoutMs = 60_000) =>
        waitForAll(api, ids, statuses, timeoutMs),
    };
  };
  const system: TestSystem = {
    ...sys,
    ...through(0),
    on: (gateway) => ({ ...system, ...through(gateway) }),
    simStats: () => sim<SimStats>('GET', '/__sim/stats'),
    setFaults: (faults) => sim<FaultConfig>('POST', '/__sim/faults', faults),
    addSimAccount: async (a) =>
      void (await sim('POST', '/__sim/accounts', {
        api_key: a.apiKey,
        credits: a.credits,
        max_concurrent: a.maxConcurrent,
      })),
    dumpLogs: ctx.dumpLogs,
    stop: () => {
      stopped ??= sys.stop().finally(() => cleanup(sys.prefix, ctx.services, ctx.uri));
      return stopped;
    },
  };
  return system;
}

async function waitForJob(
  api: TestSystem['api'],
  id: string,
  predicate: (job: Job) => boolean,
  timeoutMs: number,
): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiResponse<Job> | undefined;
  while (Date.now() < deadline) {
    last = await api<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    // 404 while the job travels to the gateway's read model.
    if (last.status === 200 && predicate(last.body)) return last.body;
    await sleep(100);
  }
  throw new Error(
    `job ${id}: condition not met within ${timeoutMs} ms; last answer ${last?.status} ${JSON.stringify(last?.body)}`,
  );
}

async function waitForAll(
  api: TestSystem['api'],
  ids: readonly string[],
  statuses: readonly Job['status'][],
  timeoutMs: number,
): Promise<Job[]> {
  const wanted = new Set(ids);
  const found = new Map<string, Job>();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    found.clear();
    for (const status of statuses) {
      let cursor: string | null = null;
      do {
        const query = new URLSearchParams({ status, limit: '100', ...(cursor ? { cursor } : {}) });
        const page = await api<{ items: Job[]; next_cursor: string | null }>('GET', `/api/v1/jobs?${query}`);
        if (page.status !== 200)
          throw new Error(`GET /api/v1/jobs answered ${page.status} ${JSON.stringify(page.body)}`);
        for (const job of page.body.items) if (wanted.has(job.id)) found.set(job.id, job);
        cursor = found.size < wanted.size ? page.body.next_cursor : null;
      } while (cursor);
    }
    if (found.size === wanted.size) return ids.map((id) => found.get(id)!);
    await sleep(250);
  }
  const missing = ids.filter((id) => !found.has(id));
  const sample = await Promise.all(
    missing
      .slice(0, 5)
      .map(async (id) => `${id}: ${JSON.stringify((await api<Job>('GET', `/api/v1/jobs/${id}`)).body)}`),
  );
  throw new Error(
    `${found.size} of ${ids.length} jobs reached ${statuses.join('|')} within ${timeoutMs} ms; for ` +
      `example:\n${sample.join('\n')}`,
  );
}

/**
 * Removes what the system left in the shared Redis and MongoDB. Best effort: a cleanup failure must not hide
 * the test's own.
 */
async function cleanup(prefix: string, services: readonly ServiceName[], uri: string): Promise<void> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    await deleteKeys(redis, prefix);
  } catch {
    /* best effort */
  } finally {
    redis.disconnect();
  }
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2_000 });
  try {
    await conn.asPromise();
    await Promise.all(services.map((s) => conn.useDb(`${prefix}-${s}`).dropDatabase()));
  } catch {
    /* best effort */
  } finally {
    await conn.close().catch(() => {});
  }
}

/**
 * Registers the hooks for one system per file: started before the first test, logs
 * printed for every failed test, stopped after the last. Call at the top of a describe.
 */
export function useTestSystem(opts: TestSystemOptions = {}): () => TestSystem {
  let sys: TestSystem | undefined;
  beforeAll(async () => {
    sys = await startTestSystem(opts);
  });
  beforeEach((ctx) => {
    ctx.onTestFailed(() => sys?.dumpLogs(`after the failed test "${ctx.task.name}"`));
  });
  afterAll(async () => {
    await sys?.stop();
  });
  return () => {
    if (!sys) throw new Error('the test system is not started (did beforeAll fail?)');
    return sys;
  };
}
