/**
 * The whole system for a benchmark or the chaos suite, outside vitest: the supervisor of
 * @pixsim/cli with a unique stream prefix and databases, free ports, quiet logs kept in
 * memory, and helpers to drive it and to measure its processes (/proc).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { SERVICES, type ServiceName } from '@pixsim/contracts';
import { createLogSink, startSystem, type SimulatorAccount, type SystemHandle } from '@pixsim/cli';
import type { FaultConfig, SimStats } from '@pixsim/pixverse-sim';
import { deleteKeys as deleteKeysOfPrefix } from '@pixsim/testkit';
import { compiledBuild } from '../harness/compiled.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface BenchSystemOptions {
  label: string;
  services?: ServiceName[];
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  simulator?: { latencyMs?: number; accounts?: SimulatorAccount[]; args?: string[] } | false;
  /** Run MongoDB as a mongo-dev child of the supervisor even when MONGODB_URI is set (chaos pauses it). */
  ownMongo?: boolean;
  restart?: boolean | { initialDelayMs?: number };
  seedAccount?: boolean;
  /** Processes of every service (default 1); with more, each is named `<service>#<i>`. */
  replicas?: number;
}

export interface BenchSystem extends SystemHandle {
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  sim<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  simStats(): Promise<SimStats>;
  setFaults(f: Partial<FaultConfig>): Promise<unknown>;
  /** Prints the last `n` log lines of the system to stderr. */
  dumpLogs(reason: string, n?: number): void;
  /** Stops everything and removes the prefix's Redis keys and databases. */
  close(): Promise<void>;
}

export async function startBenchSystem(o: BenchSystemOptions): Promise<BenchSystem> {
  const prefix = `${o.label}-${randomUUID().slice(0, 8)}`;
  const services = o.services ?? [...SERVICES];
  const sink = createLogSink({
    mode: process.env.PIXSIM_BENCH_LOGS === '1' ? 'pretty' : 'quiet',
    keep: 20_000,
    write: (l) => void process.stderr.write(`${l}\n`),
  });
  const env = { ...process.env };
  if (o.ownMongo) delete env.MONGODB_URI;
  const dumpLogs = (reason: string, n = 200): void => {
    process.stderr.write(
      `\n----- ${prefix}: ${reason} (last ${n} lines) -----\n${sink.lines().slice(-n).join('\n')}\n-----\n`,
    );
  };
  // What production runs: the compiled build.
  const compiled = await compiledBuild();
  let sys: SystemHandle;
  try {
    sys = await startSystem({
      services,
      prefix,
      compiled,
      env,
      mongoDbPrefix: prefix,
      dataDir: null,
      sink,
      ports: Object.fromEntries(services.map((s) => [s, 0])),
      simulator: o.simulator === false ? false : { latencyMs: 0, ...o.simulator },
      seedAccount: o.seedAccount ?? true,
      commonEnv: { LOG_LEVEL: 'warn', ...o.env },
      serviceEnv: o.serviceEnv,
      restart: o.restart ?? { initialDelayMs: 250 },
      readyTimeoutMs: 90_000,
      stopGraceMs: 10_000,
      replicas: o.replicas,
    });
  } catch (err) {
    dumpLogs(`failed to start: ${(err as Error).message.split('\n')[0]}`);
    await deleteSystemKeys(prefix).catch(() => {});
    throw err;
  }
  const api: BenchSystem['api'] = async (method, path, body) => {
    const res = await fetch(`${sys.gatewayUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${sys.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
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
    return { status: res.status, body: parsed as any };
  };
  const sim: BenchSystem['sim'] = async (method, path, body) => {
    const res = await fetch(`${sys.simulatorUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };
  let closed: Promise<void> | undefined;
  const ownMongo = Boolean(sys.processes['mongo-dev']);
  return {
    ...sys,
    api,
    sim,
    simStats: () => sim<SimStats>('GET', '/__sim/stats'),
    setFaults: (f) => sim('POST', '/__sim/faults', f),
    dumpLogs,
    close: () => {
      closed ??= (async () => {
        // A paused mongo-dev would hold the stop for its whole grace period.
        const mongoPid = sys.processes['mongo-dev']?.pid;
        if (mongoPid)
          try {
            process.kill(mongoPid, 'SIGCONT');
          } catch {
            /* gone */
          }
        if (!ownMongo) await dropDatabases(sys.mongoUri, prefix, services).catch(() => {});
        await sys.stop();
        await deleteSystemKeys(prefix).catch(() => {});
      })();
      return closed;
    },
  };
}

/** The process name of every service replica (`gateway`, or `gateway#1`, `gateway#2`, …), in service order. */
export function serviceProcesses(sys: SystemHandle): string[] {
  return SERVICES.flatMap((s) => sys.replicas[s] ?? []);
}

/**
 * A system's Redis keys: `<prefix>:…` and the hash-tagged `{<prefix>:…}:…` (publish marks, which
 * live a day, and dead letters). A benchmark that left the marks behind left a shared Redis
 * some hundred thousand keys fuller per run.
 */
async function deleteSystemKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    await deleteKeysOfPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export async function deleteKeys(redisUrl: string, pattern: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function dropDatabases(uri: string, prefix: string, services: readonly string[]): Promise<void> {
  const conn = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2_000 });
  try {
    await conn.asPromise();
    await Promise.all(services.map((s) => conn.useDb(`${prefix}-${s}`).dropDatabase()));
  } finally {
    await conn.close().catch(() => {});
  }
}

/** Resident set size of a process in MiB (0 when it is gone). */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Samples the RSS of some processes every `everyMs`, keeping each one's maximum. */
export function rssSampler(
  pids: () => Record<string, number | undefined>,
  everyMs = 250,
): { stop(): Record<string, number> } {
  const peak: Record<string, number> = {};
  const sample = (): void => {
    for (const [name, pid] of Object.entries(pids())) peak[name] = Math.max(peak[name] ?? 0, rssMiB(pid));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** Runs `count` calls of `fn(i)` with at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}

/** Waits until `check()` is true, polling every `everyMs`; false when `timeoutMs` passed first. */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Reads `--name value` or BENCH_NAME as a string. */
export function strArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0
    ? (process.argv[i + 1] ?? fallback)
    : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}

/** A generic table: first column (and any named in `left`) left-aligned, others right-aligned. */
export function printGrid(
  title: string,
  header: string[],
  rows: (string | number)[][],
  left: readonly string[] = ['detail'],
): void {
  console.log(`\n${title}`);
  const lines = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || left.includes(header[i]!) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

export const TEXT_PARAMS = { model: 'v5', quality: '540p', duration: 5, aspect_ratio: '16:9' } as const;

export interface Child {
  pid: number;
  /** What followed "ready " on its stdout. */
  ready: string;
  output(): string;
  stop(): Promise<void>;
}

/** Runs a TypeScript file as its own node process (tsx) and waits for its "ready …" line. */
export async function spawnTs(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Child> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${file} ${args.join(' ')}: not ready within ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      out = (out + chunk.toString()).slice(-20_000);
      const m = /^ready (.*)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.trim());
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      out = (out + c.toString()).slice(-20_000);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} ${args.join(' ')} exited (${code}):\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    pid: child.pid!,
    ready,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Every request comes from one address: the per-IP limit (6,000 a minute by default)
 * would answer 429 and the benchmark would measure the limiter. It stays on, set above
 * any load a run offers, so its Redis call is still paid on every request.
 */
export const LIMITS_ABOVE_LOAD = { RATE_LIMIT_IP_MAX: '1000000000', RATE_LIMIT_USER_MAX: '1000000000' };
