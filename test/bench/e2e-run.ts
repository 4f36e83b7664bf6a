/**
 * End to end (benchmark 3) and footprint (benchmark 5), in one run:
 *
 * 1. pixsim: the five services as separate processes, the simulator at latency 0,
 *    mongo-dev. Idle RSS of each service, then `jobs` POSTs (concurrency `clients`);
 *    jobs/s from the first POST to the last ASSET_CREATED, and per job the time from
 *    its POST to its JOB_COMPLETED entry (Redis entry time) minus the provider's own
 *    time (the simulator latency), p50/p95/p99; peak RSS of each service meanwhile.
 * 2. The pixsim services are stopped; on the same simulator and mongo-dev, the BullMQ
 *    flow (test/bench/bullmq-flow.ts: a fastify route, one worker process with four
 *    queues) gets the same jobs, measured the same way (its worker stamps
 *    completed_at_ms / asset_at_ms on the job record).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { createKeys } from '@pixsim/contracts';
import { printTable, progress, type BenchRow } from './bench-utils.js';
import {
  cpuSeconds,
  deleteKeys,
  LIMITS_ABOVE_LOAD,
  percentile,
  pool,
  printGrid,
  REDIS_URL,
  rssMiB,
  serviceProcesses,
  rssSampler,
  spawnTs,
  startBenchSystem,
  TEXT_PARAMS,
  waitUntil,
} from './system-utils.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface E2EOptions {
  jobs: number;
  clients: number;
  concurrency: number;
  latencyMs: number;
  timeoutMs: number;
  /**
   * Jobs per second, open loop: job i is posted at i / rate s, whatever the answers.
   * Unset: as fast as `clients` connections allow (a burst that measures throughput;
   * its overhead is mostly queueing). Set below both contenders' capacity, the overhead
   * is the pipeline's own.
   */
  rate?: number;
  /** Processes of every pixsim service (default 1); POSTs are spread over the gateway replicas. */
  replicas?: number;
  /**
   * Jobs each contender runs, the same way (at `rate` when set), before anything is measured.
   * Both start from fresh processes; for their first seconds V8 interprets and compiles the
   * hot paths, and a steady-state figure should not include that. Default 0.
   */
  warmupJobs?: number;
  /**
   * How long each contender's fresh processes sit idle before their idle memory is read
   * (default 3 s). A fresh process keeps the young generation it grew while starting until
   * its first collection once idle (the poller, with 16 MiB semi-spaces, about a minute
   * later); `--idle-s 120` reads what an idle replica settles at.
   */
  idleMs?: number;
}

interface Measured {
  row: BenchRow;
  overhead: { p50: number; p95: number; p99: number };
  idle: Record<string, number>;
  peak: Record<string, number>;
  /** CPU seconds each process used during the run. */
  cpu: Record<string, number>;
  /** CPU seconds the shared processes (mongo-dev, the simulator, redis-server) used in the run. */
  infra: Record<string, number>;
  /** MongoDB commands (round trips) the contender sent during the run (mongo-dev's opcounters). */
  mongoOps?: number;
  /** The same, per namespace (`db.collection`, from mongo-dev's `top`): where they go. */
  mongoByNamespace?: Record<string, number>;
  /** pixsim only: median ms between a job's consecutive events, per hop. */
  stages?: Array<[string, number, number]>;
}

function cpuOf(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([s, pid]) => [s, cpuSeconds(pid)]));
}
/** Every command mongo-dev has received (serverStatus opcounters, one per round trip). */
async function mongoCommands(conn: mongoose.Connection): Promise<number> {
  const { opcounters } = (await conn.db!.admin().command({ serverStatus: 1 })) as {
    opcounters?: Record<string, number>;
  };
  // The serverStatus asking is one of them.
  return Object.values(opcounters ?? {}).reduce((a, b) => a + b, 0) - 1;
}

/** Commands per namespace so far (mongo-dev's `top`, as mongod answers it). */
async function mongoTop(conn: mongoose.Connection): Promise<Record<string, number>> {
  const { totals } = (await conn.db!.admin().command({ top: 1 })) as {
    totals?: Record<string, { total?: { count: number } } | string>;
  };
  return Object.fromEntries(
    Object.entries(totals ?? {}).flatMap(([ns, u]) => (typeof u === 'object' && u.total ? [[ns, u.total.count]] : [])),
  );
}

const minus = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));

async function postAll(
  urls: readonly string[],
  token: string,
  o: E2EOptions,
  label: string,
): Promise<{ ids: string[]; postedAt: number[]; firstPost: number }> {
  const ids: string[] = new Array(o.jobs);
  const postedAt: number[] = new Array(o.jobs);
  const run = randomUUID().slice(0, 6);
  let done = 0;
  const stop = progress(`${label} POST`, () => done, o.jobs);
  const firstPost = Date.now();
  await pool(o.jobs, o.clients, async (i) => {
    if (o.rate) await sleep(Math.max(0, firstPost + (i * 1000) / o.rate - Date.now()));
    postedAt[i] = Date.now();
    const res = await fetch(`${urls[i % urls.length]}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        operation_type: 'text_to_video',
        params: { prompt: `${label} ${run} #${i}`, ...TEXT_PARAMS },
      }),
    });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 202 || !body.id)
      throw new Error(`${label}: POST answered ${res.status} ${JSON.stringify(body)}`);
    ids[i] = body.id;
    done++;
  });
  stop();
  return { ids, postedAt, firstPost };
}

/** The streams a job crosses, first to last; the benchmark reads them back after the run. */
const SPINE = ['JOB_REQUESTED', 'JOB_CREATED', 'JOB_SUBMITTED', 'JOB_COMPLETED', 'ASSET_CREATED'] as const;

const entryMs = (id: string): number => Number(id.split('-')[0]);

function overheads(postedAt: number[], completedAt: number[], latencyMs: number): Measured['overhead'] {
  const d = postedAt.map((p, i) => completedAt[i]! - p - latencyMs).sort((a, b) => a - b);
  return { p50: percentile(d, 50), p95: percentile(d, 95), p99: percentile(d, 99) };
}

/** Both contenders, one after the other, on the same simulator and mongo-dev. */
export async function runE2E(o: E2EOptions): Promise<{ pixsim: Measured; bullmq: Measured }> {
  const r = await measure(o, true);
  return { pixsim: r.pixsim, bullmq: r.bullmq! };
}

/** pixsim alone (e.g. with more replicas, beside a run of runE2E). */
export async function runPixsimE2E(o: E2EOptions): Promise<Measured> {
  return (await measure(o, false)).pixsim;
}

const pixsimName = (replicas = 1): string =>
  replicas > 1 ? `pixsim (5 services × ${replicas} replicas)` : 'pixsim (5 services as processes)';

/** The pixsim system of the end-to-end runs: its simulator account and the services' settings. */
export function e2eSystemOptions(o: Pick<E2EOptions, 'latencyMs' | 'concurrency' | 'replicas'>) {
  return {
    label: 'e2e',
    replicas: o.replicas,
    ownMongo: true,
    simulator: {
      latencyMs: o.latencyMs,
      accounts: [{ apiKey: 'sim-key-e2e', credits: 100_000_000, maxConcurrent: 1_000 }],
    },
    env: {
      MAX_JOBS: String(o.concurrency),
      SUBMIT_CONCURRENCY: String(o.concurrency),
      POLL_CONCURRENCY: String(o.concurrency),
      // Polling driven by a short interval: first poll at once, the loop ticks every 50 ms.
      POLL_INTERVAL_S: '1',
      FIRST_POLL_DELAY_MS: '0',
      POLL_TICK_MS: '50',
      LOG_LEVEL: 'warn',
      ...LIMITS_ABOVE_LOAD,
    },
  };
}

async function measure(o: E2EOptions, withBullmq: boolean): Promise<{ pixsim: Measured; bullmq: Measured | null }> {
  const sys = await startBenchSystem(e2eSystemOptions(o));
  const redis = new Redis(REDIS_URL);
  const counter = await mongoose.createConnection(sys.mongoUri).asPromise();
  try {
    // --- pixsim ---
    const keys = createKeys(sys.prefix);
    // The services trim each stream behind its slowest group; a group of the benchmark's own
    // that never reads keeps every entry, so the run can be read back from the streams.
    for (const type of SPINE)
      await redis.xgroup('CREATE', keys.stream(type), 'bench-hold', '0', 'MKSTREAM').catch((err: Error) => {
        if (!/BUSYGROUP/.test(err.message)) throw err;
      });
    const servicePids = () => Object.fromEntries(serviceProcesses(sys).map((s) => [s, sys.processes[s]?.pid]));
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || undefined;
    const infraPids = {
      'mongo-dev': sys.processes['mongo-dev']?.pid,
      'pixverse-sim': sys.processes['pixverse-sim']?.pid,
      'redis-server': redisPid,
    };
    await sleep(o.idleMs ?? DEFAULT_IDLE_MS);
    const idle = Object.fromEntries(Object.entries(servicePids()).map(([s, pid]) => [s, rssMiB(pid)]));
    /** Waits until every job of `ids` has its ASSET_CREATED: whether all came, how many, and the last one's time. */
    const assetsOf = async (ids: readonly string[], label: string) => {
      const want = new Set(ids);
      let seen = 0;
      let last = 0;
      const stop = progress(label, () => seen, ids.length);
      const finished = await waitUntil(
        async () => {
          // The stream is read whole only once it can hold them all.
          if ((await redis.xlen(keys.stream('ASSET_CREATED'))) < want.size) return false;
          const got = new Set<string>();
          for (const [id, f] of await readAll(redis, keys.stream('ASSET_CREATED'))) {
            const jobId = JSON.parse(f[f.indexOf('data') + 1]!).job_id as string;
            if (want.has(jobId) && !got.has(jobId)) {
              got.add(jobId);
              last = Math.max(last, entryMs(id));
            }
          }
          seen = got.size;
          return got.size === want.size;
        },
        o.timeoutMs,
        250,
      );
      stop();
      return { finished, seen, last };
    };
    if (o.warmupJobs) {
      const warm = await postAll(sys.gatewayUrls, sys.adminToken, { ...o, jobs: o.warmupJobs }, 'pixsim warm-up');
      const w = await assetsOf(warm.ids, 'pixsim warm-up assets');
      if (!w.finished)
        throw new Error(`pixsim: ${w.seen} of ${o.warmupJobs} warm-up jobs had an asset within ${o.timeoutMs} ms`);
    }
    const sampler = rssSampler(servicePids);
    const cpu0 = cpuOf(servicePids());
    const infra0 = cpuOf(infraPids);
    const ops0 = await mongoCommands(counter);
    const top0 = await mongoTop(counter);
    const posted = await postAll(sys.gatewayUrls, sys.adminToken, o, 'pixsim');
    const { finished, seen: assetsSeen, last: lastAsset } = await assetsOf(posted.ids, 'pixsim assets');
    const peak = sampler.stop();
    const cpu = minus(cpuOf(servicePids()), cpu0);
    const infra = minus(cpuOf(infraPids), infra0);
    const mongoOps = (await mongoCommands(counter)) - ops0;
    const mongoByNamespace = minus(await mongoTop(counter), top0);
    if (!finished) {
      sys.dumpLogs('the end-to-end run did not finish', 60);
      throw new Error(`pixsim: ${assetsSeen} of ${o.jobs} jobs had their ASSET_CREATED within ${o.timeoutMs} ms`);
    }
    const completedAt = new Map<string, number>();
    for (const [id, f] of await readAll(redis, keys.stream('JOB_COMPLETED'))) {
      const jobId = JSON.parse(f[f.indexOf('data') + 1]!).job_id as string;
      if (!completedAt.has(jobId)) completedAt.set(jobId, entryMs(id));
    }
    const stats = await sys.simStats();
    // Where the time goes: the first entry of each job on each stream of the spine.
    const firstAt = new Map<string, Map<string, number>>();
    for (const type of SPINE) {
      const m = new Map<string, number>();
      for (const [id, f] of await readAll(redis, keys.stream(type))) {
        const jobId = JSON.parse(f[f.indexOf('data') + 1]!).job_id as string;
        if (!m.has(jobId)) m.set(jobId, entryMs(id));
      }
      firstAt.set(type, m);
    }
    const stages: Array<[string, number, number]> = [];
    const hop = (name: string, from: (id: string) => number | undefined, to: (id: string) => number | undefined) => {
      const d = posted.ids
        .map((id) => to(id)! - from(id)!)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      stages.push([name, percentile(d, 50), percentile(d, 99)]);
    };
    const postOf = new Map(posted.ids.map((id, i) => [id, posted.postedAt[i]!]));
    hop(
      'POST → JOB_REQUESTED (gateway)',
      (id) => postOf.get(id),
      (id) => firstAt.get('JOB_REQUESTED')!.get(id),
    );
    for (let k = 1; k < SPINE.length; k++) {
      const owner = ['', 'job-intake', 'dispatcher', 'poller', 'asset'][k];
      hop(
        `${SPINE[k - 1]} → ${SPINE[k]} (${owner})`,
        (id) => firstAt.get(SPINE[k - 1]!)!.get(id),
        (id) => firstAt.get(SPINE[k]!)!.get(id),
      );
    }
    const pixsim: Measured = {
      row: {
        name: pixsimName(o.replicas),
        events: o.jobs,
        seconds: (lastAsset - posted.firstPost) / 1000,
        extra: { duplicates: stats.duplicates },
      },
      overhead: overheads(
        posted.postedAt,
        posted.ids.map((id) => completedAt.get(id)!),
        o.latencyMs,
      ),
      idle,
      peak,
      cpu,
      mongoOps,
      mongoByNamespace,
      infra,
      stages,
    };

    if (!withBullmq) return { pixsim, bullmq: null };

    // --- BullMQ flow, same simulator and mongo-dev ---
    for (const s of serviceProcesses(sys)) await sys.kill(s, 'SIGTERM', { restart: false });
    const flowPrefix = `e2e-bull-${randomUUID().slice(0, 8)}`;
    const flowDb = `${sys.prefix}-bullmq`;
    const flowEnv = {
      REDIS_URL,
      MONGODB_URI: sys.mongoUri,
      MONGODB_DB: flowDb,
      FLOW_PREFIX: flowPrefix,
      FLOW_TOKEN: sys.adminToken,
      SIM_URL: sys.simulatorUrl!,
      SIM_KEY: 'sim-key-e2e',
      FLOW_CONCURRENCY: String(o.concurrency),
      POLL_INTERVAL_MS: '1000',
      PORT: '0',
    };
    const flowFile = path.join(HERE, 'bullmq-flow.ts');
    const worker = await spawnTs(flowFile, ['worker'], flowEnv);
    const route = await spawnTs(flowFile, ['route'], flowEnv);
    const routeUrls = [route.ready];
    try {
      const flowPids = () => ({ 'bullmq route': route.pid, 'bullmq worker': worker.pid });
      await sleep(o.idleMs ?? DEFAULT_IDLE_MS);
      const bIdle = Object.fromEntries(Object.entries(flowPids()).map(([s, pid]) => [s, rssMiB(pid)]));
      const finishedCount = async () => Number((await redis.get(`${flowPrefix}:finished`)) ?? 0);
      const warm = o.warmupJobs ?? 0;
      if (warm) {
        await postAll(routeUrls, sys.adminToken, { ...o, jobs: warm }, 'bullmq warm-up');
        if (!(await waitUntil(async () => (await finishedCount()) >= warm, o.timeoutMs, 250)))
          throw new Error(`BullMQ flow: the ${warm} warm-up jobs did not finish within ${o.timeoutMs} ms`);
      }
      const bSampler = rssSampler(flowPids);
      const bCpu0 = cpuOf(flowPids());
      const bInfra0 = cpuOf(infraPids);
      const bOps0 = await mongoCommands(counter);
      const bPosted = await postAll(routeUrls, sys.adminToken, o, 'bullmq');
      let bDone = 0;
      const bStop = progress('bullmq assets', () => bDone, o.jobs);
      const bFinished = await waitUntil(
        async () => (bDone = (await finishedCount()) - warm) >= o.jobs,
        o.timeoutMs,
        250,
      );
      bStop();
      const bPeak = bSampler.stop();
      const bCpu = minus(cpuOf(flowPids()), bCpu0);
      const bInfra = minus(cpuOf(infraPids), bInfra0);
      const bMongoOps = (await mongoCommands(counter)) - bOps0;
      if (!bFinished)
        throw new Error(
          `BullMQ flow: ${bDone} of ${o.jobs} finished within ${o.timeoutMs} ms:\n${worker.output().slice(-2000)}`,
        );
      const conn = await mongoose.createConnection(sys.mongoUri).asPromise();
      const docs = await conn
        .useDb(flowDb)
        .collection<any>('jobs')
        .find({}, { projection: { completed_at_ms: 1, asset_at_ms: 1, status: 1 } })
        .toArray();
      await conn.close();
      const byId = new Map(docs.map((d) => [String(d._id), d]));
      const notCompleted = docs.filter((d) => d.status !== 'COMPLETED').length;
      const bLast = Math.max(...docs.map((d) => Number(d.asset_at_ms ?? 0)));
      const bullmq: Measured = {
        row: {
          name: 'BullMQ flow (route + 1 worker, 4 queues)',
          events: o.jobs,
          seconds: (bLast - bPosted.firstPost) / 1000,
          extra: { notCompleted },
        },
        overhead: overheads(
          bPosted.postedAt,
          bPosted.ids.map((id) => byId.get(id)?.completed_at_ms ?? NaN),
          o.latencyMs,
        ),
        idle: bIdle,
        peak: bPeak,
        cpu: bCpu,
        mongoOps: bMongoOps,
        infra: bInfra,
      };
      return { pixsim, bullmq };
    } finally {
      await route.stop();
      await worker.stop();
      await deleteKeys(REDIS_URL, `${flowPrefix}:*`).catch(() => {});
    }
  } finally {
    await counter.close().catch(() => {});
    redis.disconnect();
    await sys.close();
  }
}

async function readAll(redis: Redis, key: string): Promise<Array<[string, string[]]>> {
  const out: Array<[string, string[]]> = [];
  let start = '-';
  for (;;) {
    const page = (await redis.xrange(key, start, '+', 'COUNT', 5000)) as [string, string[]][];
    out.push(...page);
    if (page.length < 5000) return out;
    start = `(${page.at(-1)![0]}`;
  }
}

export function printE2E(o: E2EOptions, r: { pixsim: Measured; bullmq: Measured }): { ok: boolean } {
  const { pixsim, bullmq } = r;
  printTable(
    `end to end: ${o.jobs} jobs, POST → ASSET_CREATED, simulator latency ${o.latencyMs} ms, ${o.clients} clients, ` +
      `concurrency ${o.concurrency}`,
    [pixsim.row, bullmq.row],
  );
  printGrid(
    "per job, POST → COMPLETED minus the provider's time (ms)",
    ['contender', 'p50', 'p95', 'p99'],
    [pixsim, bullmq].map((m) => [
      m.row.name,
      Math.round(m.overhead.p50),
      Math.round(m.overhead.p95),
      Math.round(m.overhead.p99),
    ]),
  );
  if (pixsim.stages)
    printGrid(
      "pixsim, where the time goes: ms between a job's first entries on consecutive streams",
      ['hop', 'p50', 'p99'],
      pixsim.stages.map(([n, a, b]) => [n, Math.round(a), Math.round(b)]),
    );
  const ratio = pixsim.row.events / pixsim.row.seconds / (bullmq.row.events / bullmq.row.seconds);
  const p99 = pixsim.overhead.p99;
  const rateOk = ratio >= 1;
  const p99Ok = p99 < 250;
  console.log(
    `ratio: pixsim/BullMQ jobs/s = ${ratio.toFixed(2)} (target ≥ 1: ${rateOk ? 'met' : 'NOT met'}); ` +
      `pixsim p99 overhead = ${Math.round(p99)} ms (target < 250: ${p99Ok ? 'met' : 'NOT met'})`,
  );
  return { ok: rateOk && p99Ok };
}

/** The paced run: the pipeline's own latency at a rate both contenders keep up with. */
export function printPaced(o: E2EOptions, r: { pixsim: Measured; bullmq: Measured }): { ok: boolean } {
  const { pixsim, bullmq } = r;
  printGrid(
    `end to end at a steady ${o.rate} jobs/s (${o.jobs} jobs, open loop${o.warmupJobs ? `, after ${o.warmupJobs} warm-up jobs` : ', from a cold start'}): ` +
      `POST → COMPLETED minus the provider's time (ms)`,
    ['contender', 'jobs/s done', 'p50', 'p95', 'p99'],
    [pixsim, bullmq].map((m) => [
      m.row.name,
      (m.row.events / m.row.seconds).toFixed(0),
      Math.round(m.overhead.p50),
      Math.round(m.overhead.p95),
      Math.round(m.overhead.p99),
    ]),
  );
  if (pixsim.stages)
    printGrid(
      'pixsim at that rate, where the time goes (ms)',
      ['hop', 'p50', 'p99'],
      pixsim.stages.map(([n, a, b]) => [n, Math.round(a), Math.round(b)]),
    );
  // What a job costs at a steady rate, where events come one at a time and batches hold one:
  // the figures a deployment's steady traffic pays, beside the burst's.
  const jobs = pixsim.row.events;
  const p = perJob(pixsim, jobs);
  const b = perJob(bullmq, jobs);
  printGrid(
    `per job at ${o.rate} jobs/s: CPU of each process (ms), and MongoDB commands (round trips) sent`,
    ['process', 'CPU ms per job'],
    [
      ...Object.entries(pixsim.cpu).map(([name, s]) => [name, ((1000 * s) / jobs).toFixed(1)]),
      [`${pixsim.row.name}, all`, p.cpuMs.toFixed(1)],
      [bullmq.row.name, b.cpuMs.toFixed(1)],
    ],
  );
  printRoundTrips(pixsim, jobs, `at ${o.rate} jobs/s`);
  console.log(
    `at ${o.rate} jobs/s: services CPU per job pixsim/BullMQ = ${(p.cpuMs / b.cpuMs).toFixed(2)} (pixsim ` +
      `${p.cpuMs.toFixed(1)} ms, BullMQ flow ${b.cpuMs.toFixed(1)} ms); MongoDB round trips per job ` +
      `${p.mongoOps?.toFixed(1) ?? 'n/a'} (BullMQ flow ${b.mongoOps?.toFixed(1) ?? 'n/a'})`,
  );
  // The targets: a p99 under 250 ms at 25 jobs/s, under 500 ms at 50 jobs/s.
  const target = (o.rate ?? 0) >= 50 ? 500 : 250;
  const ok = pixsim.overhead.p99 < target;
  console.log(
    `ratio: pixsim/BullMQ p99 overhead at ${o.rate} jobs/s = ${(pixsim.overhead.p99 / bullmq.overhead.p99).toFixed(2)} ` +
      `(pixsim ${Math.round(pixsim.overhead.p99)} ms, target < ${target}: ${ok ? 'met' : 'NOT met'}; BullMQ flow ` +
      `${Math.round(bullmq.overhead.p99)} ms)`,
  );
  return { ok };
}

/** Resident memory each service may hold: idle, and under the burst (1.5× idle). */
export const RSS_TARGET_MIB = { idle: 100, load: 150 } as const;

/** How long fresh processes sit before their idle memory is read, unless `idleMs` says otherwise. */
export const DEFAULT_IDLE_MS = 3_000;

/**
 * How long a fresh process must have sat idle for its RSS to count as an idle replica's:
 * until then it holds the young generation it grew while starting (docs/performance.md,
 * "Idle right after start, and idle settled").
 */
export const SETTLED_IDLE_MS = 60_000;

/**
 * Each pixsim service's under-load RSS against its target, and its idle RSS when it was read
 * settled (`idleMs` ≥ SETTLED_IDLE_MS); returns the services that missed one (an empty
 * list: all met). A reading from right after start is shown without a verdict.
 */
export function printMemoryTargets(r: { pixsim: Measured }, idleMs = DEFAULT_IDLE_MS): string[] {
  const settled = idleMs >= SETTLED_IDLE_MS;
  const missed: string[] = [];
  const verdict = (name: string, what: string, mib: number, target: number) => {
    if (mib <= target) return `${mib.toFixed(0)} ≤ ${target}: met`;
    missed.push(`${name} ${what} ${mib.toFixed(0)} MiB`);
    return `${mib.toFixed(0)} > ${target}: NOT met`;
  };
  const idleColumn = settled ? `idle MiB (${idleMs / 1000} s)` : `MiB ${idleMs / 1000} s after start`;
  printGrid(
    `pixsim memory targets: each service at most ${RSS_TARGET_MIB.idle} MiB resident idle, ${RSS_TARGET_MIB.load} ` +
      `MiB under the burst`,
    ['service', idleColumn, 'under load MiB'],
    Object.keys(r.pixsim.idle).map((name) => [
      name,
      settled
        ? verdict(name, 'idle', r.pixsim.idle[name] ?? 0, RSS_TARGET_MIB.idle)
        : `${(r.pixsim.idle[name] ?? 0).toFixed(0)} (start-up)`,
      verdict(name, 'under load', r.pixsim.peak[name] ?? 0, RSS_TARGET_MIB.load),
    ]),
  );
  const scope = settled
    ? 'idle and under the burst'
    : `under the burst (idle is judged settled: \`npm run bench:idle\`, or --idle-s ${SETTLED_IDLE_MS / 1000} or more)`;
  console.log(
    `memory targets, ${scope}: ${missed.length ? `NOT met by ${missed.join(', ')}` : 'met by every service'}`,
  );
  return missed;
}

/** pixsim's MongoDB round trips per job, by namespace (`db.collection`), most first. */
function printRoundTrips(pixsim: Measured, jobs: number, when = ''): void {
  const byNs = Object.entries(pixsim.mongoByNamespace ?? {})
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1]);
  if (byNs.length)
    printGrid(
      `pixsim MongoDB round trips per job${when ? ` ${when}` : ''}, by namespace (mongo-dev top)`,
      ['namespace', 'round trips per job'],
      byNs.map(([ns, n]) => [ns, (n / jobs).toFixed(2)]),
    );
}

/** CPU seconds of the services per job, in ms, and MongoDB round trips per job, of one contender. */
export function perJob(m: Measured, jobs: number): { cpuMs: number; mongoOps: number | undefined } {
  const cpu = Object.values(m.cpu).reduce((a, b) => a + b, 0);
  return { cpuMs: (1000 * cpu) / jobs, mongoOps: m.mongoOps === undefined ? undefined : m.mongoOps / jobs };
}

/**
 * The services' CPU per job beside the BullMQ flow's, and MongoDB round trips per job,
 * from the same run; the last line is the ratio (bench:ci guards it). Returns the ratio.
 */
export function printCpuPerJob(o: E2EOptions, r: { pixsim: Measured; bullmq: Measured }): number {
  const p = perJob(r.pixsim, o.jobs);
  const b = perJob(r.bullmq, o.jobs);
  const round = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(1));
  printGrid(
    `per job, over the ${o.jobs}-job burst: CPU of the contender's own processes, and MongoDB commands (round ` +
      `trips) it sent`,
    ['contender', 'CPU ms per job', 'MongoDB round trips per job'],
    [
      [r.pixsim.row.name, p.cpuMs.toFixed(1), round(p.mongoOps)],
      [r.bullmq.row.name, b.cpuMs.toFixed(1), round(b.mongoOps)],
    ],
  );
  printRoundTrips(r.pixsim, o.jobs);
  const ratio = p.cpuMs / b.cpuMs;
  console.log(`pixsim MongoDB round trips per job = ${round(p.mongoOps)} (BullMQ flow ${round(b.mongoOps)})`);
  console.log(
    `ratio: services CPU per job pixsim/BullMQ = ${ratio.toFixed(2)} (pixsim ${p.cpuMs.toFixed(1)} ms, BullMQ flow ` +
      `${b.cpuMs.toFixed(1)} ms)`,
  );
  return ratio;
}

export function printFootprint(o: E2EOptions, r: { pixsim: Measured; bullmq: Measured }): void {
  const rows = [...Object.keys(r.pixsim.idle), ...Object.keys(r.bullmq.idle)].map((name) => {
    const idle = r.pixsim.idle[name] ?? r.bullmq.idle[name] ?? 0;
    const peak = r.pixsim.peak[name] ?? r.bullmq.peak[name] ?? 0;
    const cpu = r.pixsim.cpu[name] ?? r.bullmq.cpu[name] ?? 0;
    return [name, idle.toFixed(0), peak.toFixed(0), (peak / idle).toFixed(2), cpu.toFixed(1)];
  });
  const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  rows.push([
    'pixsim total',
    sum(r.pixsim.idle).toFixed(0),
    sum(r.pixsim.peak).toFixed(0),
    (sum(r.pixsim.peak) / sum(r.pixsim.idle)).toFixed(2),
    sum(r.pixsim.cpu).toFixed(1),
  ]);
  rows.push([
    'BullMQ flow total',
    sum(r.bullmq.idle).toFixed(0),
    sum(r.bullmq.peak).toFixed(0),
    (sum(r.bullmq.peak) / sum(r.bullmq.idle)).toFixed(2),
    sum(r.bullmq.cpu).toFixed(1),
  ]);
  printGrid(
    `footprint: resident memory (MiB), idle (${(o.idleMs ?? DEFAULT_IDLE_MS) / 1000} s after start) and peak during the ` +
      `${o.jobs}-job end-to-end run; CPU seconds used in the run`,
    ['process', 'idle', 'under load', 'load/idle', 'cpu s'],
    rows,
  );
  printGrid(
    "shared processes: CPU seconds used during each contender's run",
    ['process', 'pixsim run', 'BullMQ run'],
    Object.keys(r.pixsim.infra).map((name) => [
      name,
      (r.pixsim.infra[name] ?? 0).toFixed(1),
      (r.bullmq.infra[name] ?? 0).toFixed(1),
    ]),
  );
  console.log(
    `ratio: pixsim/BullMQ resident memory under load = ${(sum(r.pixsim.peak) / sum(r.bullmq.peak)).toFixed(2)} ` +
      `(${sum(r.pixsim.peak).toFixed(0)} MiB over five services vs ${sum(r.bullmq.peak).toFixed(0)} MiB over two ` +
      `processes; no target)`,
  );
  printMemoryTargets(r, o.idleMs);
}

/** pixsim with one process per service beside pixsim with several, same load. */
export function printReplicas(o: E2EOptions, one: Measured, many: Measured): void {
  const sum = (x: Record<string, number>) => Object.values(x).reduce((a, b) => a + b, 0);
  printGrid(
    `pixsim by replicas: ${o.jobs} jobs${o.rate ? ` at ${o.rate} jobs/s` : ''}, POST → COMPLETED minus the ` +
      `provider's time (ms); memory and CPU over every service process`,
    ['run', 'jobs/s', 'p50', 'p95', 'p99', 'peak MiB', 'cpu s', 'duplicates'],
    [one, many].map((m) => [
      m.row.name,
      (m.row.events / m.row.seconds).toFixed(0),
      Math.round(m.overhead.p50),
      Math.round(m.overhead.p95),
      Math.round(m.overhead.p99),
      sum(m.peak).toFixed(0),
      sum(m.cpu).toFixed(1),
      String(m.row.extra?.duplicates ?? ''),
    ]),
  );
  console.log(
    `ratio: ${many.row.name} / ${one.row.name} jobs/s = ${(many.row.events / many.row.seconds / (one.row.events / one.row.seconds)).toFixed(2)} (no target: on a machine with few cores, more processes share the same CPUs)`,
  );
}
