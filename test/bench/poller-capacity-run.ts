/**
 * Poller capacity (benchmark 4): ONE poller process (with the simulator and mongo-dev, or
 * MONGODB_URI when set) following `generations` generations that stay "generating" for the
 * whole run, at POLL_INTERVAL_S = `intervalS`: the target is generations / interval polls/s.
 *
 * Each size gets a fresh system:
 * 1. the generations are created at the simulator over its HTTP API (latency 1 h, so every
 *    status call is a real HTTP call answered "generating");
 * 2. one JOB_SUBMITTED per generation is published on the bus, as the dispatcher does, and
 *    the poller ingests them; their submitted_at are chosen so that the first polls fall
 *    evenly over one interval, starting once the poller should have ingested them all
 *    (FIRST_POLL_DELAY_MS): the steady state of work that arrived over time, not a herd;
 * 3. one interval of warm-up (by default), then a window of `seconds`: status calls the
 *    simulator saw (/__sim/stats), the poller's own count by outcome (/metrics), CPU of the
 *    poller, the simulator and mongo-dev (/proc/PID/stat, all threads), how busy each one's
 *    event loop was (/proc/PID/schedstat: on a CPU or waiting for one, so a saturated process
 *    shows as such even on a crowded machine), the poller's RSS, and the generations overdue
 *    at the end. "limited by" names the process whose event loop was busy ≥ 85% of the window.
 * The poller runs with its defaults (POLL_CONCURRENCY, POLL_BATCH, POLL_TICK_MS, MAX_JOBS),
 * or with `concurrency` polls in flight at once (POLL_BATCH four times that).
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { createKeys, eventIds } from '@pixsim/contracts';
import { createPublisher, streamStats, type PublishInput } from '@pixsim/bus';
import { generateSealingKeyPair, parsePublicKey, sealCredential } from '@pixsim/credentials';
import { printTable, progress } from './bench-utils.js';
import {
  cpuSeconds,
  pool,
  printGrid,
  REDIS_URL,
  rssMiB,
  rssSampler,
  startBenchSystem,
  TEXT_PARAMS,
  waitUntil,
  type BenchSystem,
} from './system-utils.js';

export interface PollerCapacityOptions {
  generations: number[];
  intervalS: number;
  /** Length of the measured window, after warm-up. */
  seconds: number;
  /** Warm-up after the first generation is due (default: one interval). */
  warmupS?: number;
  /** POLL_CONCURRENCY for the poller (POLL_BATCH 4× it); its defaults when unset. */
  concurrency?: number;
}

export interface SizeResult {
  generations: number;
  target: number;
  /** Status calls the simulator answered in the window, per second. */
  achieved: number;
  seconds: number;
  /** The poller's own count in the window (pixsim_polls_total), and its errors among them. */
  pollerPolls: number;
  pollerErrors: number;
  /** CPU used in the window, % of one core (all threads). */
  cpu: { poller: number; simulator: number; mongo: number | null };
  /**
   * Main thread (the event loop) on a CPU or waiting for one, % of the window: near 100 = saturated, even on
   * a crowded machine.
   */
  busy: { poller: number; simulator: number; mongo: number | null };
  rss: { idle: number; peak: number };
  /** The poller's garbage collection in the window, ms per second by kind (nodejs_gc_duration_seconds). */
  gcMsPerS: { minor: number; major: number; incremental: number };
  overdue: number;
  oldestOverdueS: number;
  seedRate: number;
  ingestRate: number;
  restarts: number;
  mongo: string;
}

const API_KEY = 'sim-key-pollcap';
const SIM_LATENCY_MS = 3_600_000;
/** What the poller ingests per second, assumed to plan FIRST_POLL_DELAY_MS; measured and printed. */
const INGEST_GUESS_PER_S = 1_500;
/** Past this age a generation is polled half as often (services/poller/src/schedule.ts). */
const SLOWER_AFTER_S = 300;

export async function runPollerCapacity(o: PollerCapacityOptions): Promise<SizeResult[]> {
  const out: SizeResult[] = [];
  for (const n of o.generations) out.push(await runSize(n, o));
  return out;
}

interface Plan {
  intervalMs: number;
  warmupMs: number;
  /** Time planned for publishing and ingesting the JOB_SUBMITTED events, before the first is due. */
  ingestBudgetMs: number;
  /** submitted_at lies one interval before the budget's start: in the past for every generation. */
  firstPollDelayMs: number;
}

function plan(n: number, o: PollerCapacityOptions): Plan {
  const intervalMs = o.intervalS * 1000;
  const ingestBudgetMs = Math.ceil(n / INGEST_GUESS_PER_S) * 1000 + 2_000;
  const p = {
    intervalMs,
    warmupMs: (o.warmupS ?? o.intervalS) * 1000,
    ingestBudgetMs,
    firstPollDelayMs: ingestBudgetMs + intervalMs,
  };
  const oldestAgeS = (p.firstPollDelayMs + p.warmupMs + o.seconds * 1000) / 1000 + 10;
  if (oldestAgeS >= SLOWER_AFTER_S) {
    throw new Error(
      `${n} generations: the run would reach ${oldestAgeS.toFixed(0)} s of generation age, where the poller slows ` +
        `down on purpose; use a shorter --seconds or fewer generations`,
    );
  }
  return p;
}

async function runSize(n: number, o: PollerCapacityOptions): Promise<SizeResult> {
  const p = plan(n, o);
  const secret = generateSealingKeyPair();
  const sys = await startBenchSystem({
    label: 'pollcap',
    services: ['poller'],
    seedAccount: false,
    simulator: {
      latencyMs: SIM_LATENCY_MS,
      accounts: [{ apiKey: API_KEY, credits: 45 * n + 1_000, maxConcurrent: n + 100 }],
    },
    env: {
      LOG_LEVEL: 'warn',
      POLL_INTERVAL_S: String(o.intervalS),
      FIRST_POLL_DELAY_MS: String(p.firstPollDelayMs),
      ...(o.concurrency ? { POLL_CONCURRENCY: String(o.concurrency), POLL_BATCH: String(4 * o.concurrency) } : {}),
    },
    // The poller's own keys: a service's settings win over the keys the supervisor hands out.
    serviceEnv: { poller: { PIXSIM_SEALING_PRIVATE_KEYS: secret.privateKey } },
  });
  const redis = new Redis(REDIS_URL);
  const pids = () => ({
    poller: sys.processes.poller?.pid,
    simulator: sys.processes['pixverse-sim']?.pid,
    mongo: sys.processes['mongo-dev']?.pid,
  });
  try {
    await sleep(1_000);
    const idle = rssMiB(pids().poller);
    const seeded = await seed(sys, redis, n, p, secret);
    const windowStart = Math.max(seeded.firstDueMs + p.warmupMs, Date.now() + 1_000);
    const ageAtEndS = (windowStart + o.seconds * 1000 - (seeded.firstDueMs - p.firstPollDelayMs)) / 1000;
    if (ageAtEndS >= SLOWER_AFTER_S)
      throw new Error(
        `${n}: ingestion was so slow that generations would be ${ageAtEndS.toFixed(0)} s old in the window, where ` +
          `the poller slows down on purpose`,
      );
    await sleep(windowStart - Date.now());
    const m = await measureWindow(sys, pids, o.seconds);
    const late = await overdue(sys);
    return {
      generations: n,
      target: n / o.intervalS,
      achieved: m.statusCalls / m.seconds,
      seconds: m.seconds,
      pollerPolls: m.polls,
      pollerErrors: m.errors,
      cpu: m.cpu,
      busy: m.busy,
      rss: { idle, peak: m.peakRss },
      gcMsPerS: m.gcMsPerS,
      overdue: late.count,
      oldestOverdueS: late.oldestS,
      seedRate: seeded.seedRate,
      ingestRate: seeded.ingestRate,
      restarts: sys.processes.poller?.restarts ?? 0,
      mongo: pids().mongo ? 'mongo-dev' : 'MONGODB_URI',
    };
  } catch (err) {
    sys.dumpLogs(`poller capacity at ${n} failed`, 60);
    throw err;
  } finally {
    redis.disconnect();
    await sys.close();
  }
}

/** The generations at the simulator, then their JOB_SUBMITTED, ingested by the poller. */
async function seed(sys: BenchSystem, redis: Redis, n: number, p: Plan, secret: { publicKey: string }) {
  const label = `${n.toLocaleString('en-US')} generations`;
  const seedStart = Date.now();
  const videoIds = await createAtSimulator(sys.simulatorUrl!, n, label);
  const seedRate = n / ((Date.now() - seedStart) / 1000);
  const pubStart = Date.now();
  const firstDueMs = pubStart + p.ingestBudgetMs;
  await publishSubmissions(redis, sys.prefix, videoIds, {
    sealed: sealCredential(parsePublicKey(secret.publicKey), 'bench-account', API_KEY),
    firstDueMs,
    ...p,
  });
  await waitIngested(sys, redis, n, label);
  const ingestRate = n / ((Date.now() - pubStart) / 1000);
  if (Date.now() > firstDueMs)
    console.error(
      `${label}: ingestion took longer than the ${p.ingestBudgetMs} ms planned; the first polls overlapped it`,
    );
  return { seedRate, ingestRate, firstDueMs };
}

/** Creates the generations as the dispatcher would (one generate call each, a fresh Ai-trace-id). */
async function createAtSimulator(simUrl: string, n: number, label: string): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const run = randomUUID().slice(0, 6);
  const ids = new Array<string>(n);
  let done = 0;
  const stop = progress(`${label}: created at the simulator`, () => done, n);
  try {
    await pool(n, 32, async (i) => {
      const body = JSON.stringify({ prompt: `poller capacity ${run} #${i}`, ...TEXT_PARAMS });
      const res = await postJson(
        agent,
        `${simUrl}/openapi/v2/video/text/generate`,
        { 'API-KEY': API_KEY, 'Ai-trace-id': randomUUID() },
        body,
      );
      if (res.ErrCode !== 0) throw new Error(`simulator generate: ErrCode ${res.ErrCode} ${res.ErrMsg}`);
      ids[i] = String(res.Resp.video_id);
      done++;
    });
  } finally {
    stop();
    agent.destroy();
  }
  return ids;
}

function postJson(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => {
            text += c;
          })
          .on('end', () => {
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(new Error(`simulator answered ${res.statusCode}: ${text.slice(0, 200)}`));
            }
          });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Due times spread evenly over one interval from `firstDueMs`: i-th due at firstDueMs + i·interval/n. */
async function publishSubmissions(
  redis: Redis,
  prefix: string,
  videoIds: string[],
  o: { sealed: ReturnType<typeof sealCredential>; firstDueMs: number; intervalMs: number; firstPollDelayMs: number },
): Promise<void> {
  const publisher = createPublisher({ redis, keys: createKeys(prefix) });
  const run = randomUUID().slice(0, 8);
  const n = videoIds.length;
  for (let start = 0; start < n; start += 1_000) {
    const batch = videoIds.slice(start, start + 1_000).map((videoId, k): PublishInput<'JOB_SUBMITTED'> => {
      const i = start + k;
      const jobId = `pollcap-${run}-${i}`;
      const submittedAt = new Date(
        o.firstDueMs + Math.floor((i * o.intervalMs) / n) - o.firstPollDelayMs,
      ).toISOString();
      return {
        type: 'JOB_SUBMITTED',
        id: eventIds.jobSubmitted(jobId, 1),
        at: submittedAt,
        data: {
          job_id: jobId,
          user_id: 'bench-user',
          attempt: 1,
          provider_id: 'pixverse',
          provider_job_id: videoId,
          account_id: 'bench-account',
          credential: o.sealed,
          cost: 45,
          duration_sec: TEXT_PARAMS.duration,
          submitted_at: submittedAt,
        },
      };
    });
    await publisher.publishMany(batch);
  }
}

async function waitIngested(sys: BenchSystem, redis: Redis, n: number, label: string): Promise<void> {
  let read = 0;
  const stop = progress(`${label}: JOB_SUBMITTED ingested by the poller`, () => read, n);
  const ok = await waitUntil(
    async () => {
      const [s] = await streamStats(redis, createKeys(sys.prefix), ['JOB_SUBMITTED']);
      const g = s!.groups.find((x) => x.group === 'poller');
      read = g && g.lag !== null ? s!.length - g.lag - g.pending : 0;
      return g !== undefined && g.lag === 0 && g.pending === 0;
    },
    600_000,
    250,
  );
  stop();
  if (!ok) throw new Error(`${label}: the poller did not ingest the JOB_SUBMITTED events within 10 minutes`);
}

async function measureWindow(sys: BenchSystem, pids: () => Record<string, number | undefined>, seconds: number) {
  const cpuOf = () => Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const demandOf = () => Object.fromEntries(Object.entries(pids()).map(([k, pid]) => [k, mainThreadDemandS(pid)]));
  // The window runs `seconds` from the simulator's first answer, not from the poller's
  // /metrics after it, which a busy poller answers late: a window of whole poll intervals
  // sees each generation polled the same number of times when the poller keeps up, while
  // a longer one is cut short of a whole interval, an undercount when due times cluster
  // (they do: the generations are seeded within a few seconds).
  let statsAnsweredAt = 0;
  const [stats0, metrics0] = await Promise.all([
    sys.simStats().then((stats) => {
      statsAnsweredAt = performance.now();
      return stats;
    }),
    pollerMetrics(sys),
  ]);
  const cpu0 = cpuOf();
  const demand0 = demandOf();
  const t0 = performance.now();
  const sampler = rssSampler(() => ({ poller: pids().poller }));
  await sleep(Math.max(0, seconds * 1000 - (performance.now() - statsAnsweredAt)));
  const [stats1, metrics1] = await Promise.all([sys.simStats(), pollerMetrics(sys)]);
  const cpu1 = cpuOf();
  const demand1 = demandOf();
  const elapsed = (performance.now() - t0) / 1000;
  const peakRss = sampler.stop().poller ?? 0;
  const pct = (k: string) => ((cpu1[k]! - cpu0[k]!) / elapsed) * 100;
  const busy = (k: string) => ((demand1[k]! - demand0[k]!) / elapsed) * 100;
  const count = (m: Map<string, number>, k?: string) =>
    [...m].filter(([o]) => !k || o === k).reduce((a, [, v]) => a + v, 0);
  // The calls are counted between the simulator's two answers, so their rate divides by the
  // time between those answers on its own clock; `elapsed` also holds the wait for the
  // poller's /metrics at the end, which a busy poller answers late.
  const counted = (stats1.at_ms - stats0.at_ms) / 1000;
  return {
    seconds: counted,
    statusCalls: (stats1.calls.result ?? 0) - (stats0.calls.result ?? 0),
    polls: count(metrics1.polls) - count(metrics0.polls),
    gcMsPerS: {
      minor: gcMs(metrics0.gc, metrics1.gc, 'minor', elapsed),
      major: gcMs(metrics0.gc, metrics1.gc, 'major', elapsed),
      incremental: gcMs(metrics0.gc, metrics1.gc, 'incremental', elapsed),
    },
    errors: count(metrics1.polls, 'error') - count(metrics0.polls, 'error'),
    cpu: { poller: pct('poller'), simulator: pct('simulator'), mongo: pids().mongo ? pct('mongo') : null },
    busy: { poller: busy('poller'), simulator: busy('simulator'), mongo: pids().mongo ? busy('mongo') : null },
    peakRss,
  };
}

/** Seconds the main thread spent on a CPU plus waiting in the run queue (/proc/PID/schedstat). */
function mainThreadDemandS(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return (onCpu! + waiting!) / 1e9;
  } catch {
    return 0;
  }
}

/** pixsim_polls_total by outcome, and seconds of garbage collection by kind, from the poller's /metrics. */
async function pollerMetrics(sys: BenchSystem): Promise<{ polls: Map<string, number>; gc: Map<string, number> }> {
  const text = await (await fetch(`http://127.0.0.1:${sys.ports.poller}/metrics`)).text();
  const polls = new Map<string, number>();
  for (const m of text.matchAll(/^pixsim_polls_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm))
    polls.set(m[1]!, Number(m[2]));
  const gc = new Map<string, number>();
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_sum\{[^}]*kind="([^"]+)"[^}]*\} ([\d.e+-]+)/gm))
    gc.set(m[1]!, Number(m[2]));
  return { polls, gc };
}

const gcMs = (before: Map<string, number>, after: Map<string, number>, kind: string, seconds: number) =>
  (((after.get(kind) ?? 0) - (before.get(kind) ?? 0)) * 1000) / seconds;

/** Generations whose poll is more than a second late right now, and how late the oldest is. */
async function overdue(sys: BenchSystem): Promise<{ count: number; oldestS: number }> {
  const conn = await mongoose.createConnection(sys.mongoUri, { serverSelectionTimeoutMS: 5_000 }).asPromise();
  try {
    const coll = conn.useDb(`${sys.prefix}-poller`).collection('generations');
    const now = Date.now();
    const filter = { status: 'polling', next_poll_at: { $lt: new Date(now - 1_000) } };
    const count = await coll.countDocuments(filter);
    const oldest = count
      ? await coll.findOne(filter, { sort: { next_poll_at: 1 }, projection: { next_poll_at: 1 } })
      : null;
    return { count, oldestS: oldest ? (now - (oldest.next_poll_at as Date).getTime()) / 1000 : 0 };
  } finally {
    await conn.close();
  }
}

/**
 * An event loop busy (on a CPU or waiting for one) nearly all the time is the wall; else the poller waits on
 * something.
 */
function limitOf(r: SizeResult): string {
  if (r.achieved >= 0.95 * r.target) return 'kept up';
  const [name, pct] = Object.entries(r.busy)
    .filter((e): e is [string, number] => e[1] !== null)
    .sort((a, b) => b[1] - a[1])[0]!;
  return pct >= 85 ? `${name} (busy ${Math.round(pct)}%)` : `nothing saturated (max busy ${Math.round(pct)}%, ${name})`;
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * What one replica must sustain at the default 10-s interval, in polls/s, by generations in
 * flight: every poll on time at 50,000, and 4,000 at 100,000, where the autoscaler has long
 * since added replicas (one per 5,000 generations in flight).
 */
export const REPLICA_TARGET_INTERVAL_S = 10;
export const REPLICA_TARGET_POLLS: ReadonlyMap<number, number> = new Map([
  [50_000, 5_000],
  [100_000, 4_000],
]);

export function printPollerCapacity(o: PollerCapacityOptions, rs: SizeResult[]): { ratio: number } {
  const tuning = o.concurrency
    ? `POLL_CONCURRENCY=${o.concurrency}, POLL_BATCH=${4 * o.concurrency}`
    : 'POLL_CONCURRENCY and POLL_BATCH at their defaults';
  const title =
    `poller capacity: one poller process, POLL_INTERVAL_S=${o.intervalS}, ${tuning}, ${o.seconds}-s window after ${o.warmupS ?? o.intervalS} s of warm-up, ` +
    `simulator latency ${SIM_LATENCY_MS / 1000} s, MongoDB = ${rs[0]?.mongo ?? '?'}; events = status calls the ` +
    `simulator answered`;
  printTable(
    title,
    rs.map((r) => ({
      name: `${fmt(r.generations)} generations in flight`,
      events: Math.round(r.achieved * r.seconds),
      seconds: r.seconds,
    })),
  );
  printGrid(
    'polls against the target (generations / interval); "overdue" = due more than 1 s ago at the end of the window',
    [
      'generations',
      'target/s',
      'polls/s',
      'of target',
      'limited by',
      'poller errors/polls',
      'overdue',
      'oldest late s',
    ],
    rs.map((r) => [
      fmt(r.generations),
      fmt(r.target),
      fmt(r.achieved),
      `${fmt((100 * r.achieved) / r.target, 1)}%`,
      limitOf(r),
      `${fmt(r.pollerErrors)}/${fmt(r.pollerPolls)}`,
      fmt(r.overdue),
      fmt(r.oldestOverdueS, 1),
    ]),
    ['limited by'],
  );
  const na = (x: number | null) => (x === null ? 'n/a' : fmt(x));
  printGrid(
    'resources in the window: cpu = % of one core, all threads; busy = % of the time the main thread was on a CPU or waiting for one; ' +
      'poller RSS in MiB (idle = before seeding); created/ingested per s = the set-up',
    [
      'generations',
      'poller cpu %',
      'poller busy %',
      'poller cpu ms/poll',
      'poller rss idle',
      'poller rss peak',
      'poller gc ms/s minor/major/incr',
      'sim cpu %',
      'sim busy %',
      'mongo cpu %',
      'mongo busy %',
      'created/s',
      'ingested/s',
    ],
    rs.map((r) => [
      fmt(r.generations),
      fmt(r.cpu.poller),
      fmt(r.busy.poller),
      fmt((10 * r.cpu.poller) / r.achieved, 2),
      fmt(r.rss.idle),
      fmt(r.rss.peak),
      `${fmt(r.gcMsPerS.minor)}/${fmt(r.gcMsPerS.major)}/${fmt(r.gcMsPerS.incremental)}`,
      fmt(r.cpu.simulator),
      fmt(r.busy.simulator),
      na(r.cpu.mongo),
      na(r.busy.mongo),
      fmt(r.seedRate),
      fmt(r.ingestRate),
    ]),
  );
  for (const r of rs.filter((x) => x.restarts > 0))
    console.log(
      `warning: the poller restarted ${r.restarts} time(s) at ${fmt(r.generations)}: its numbers are not trustworthy`,
    );
  const first = rs[0]!;
  const last = rs.at(-1)!;
  const ratio = first.achieved / first.target;
  const growth =
    rs.length > 1
      ? `; ${fmt(first.generations)} → ${fmt(last.generations)}: polls/s ×${(last.achieved / first.achieved).toFixed(2)} (target ×${(last.target / first.target).toFixed(2)}), ` +
        `poller CPU ×${(last.cpu.poller / first.cpu.poller).toFixed(2)}, poller RSS ` +
        `×${(last.rss.peak / first.rss.peak).toFixed(2)}`
      : '';
  const replicaTarget = (r: SizeResult): string => {
    const target = o.intervalS === REPLICA_TARGET_INTERVAL_S ? REPLICA_TARGET_POLLS.get(r.generations) : undefined;
    if (target === undefined) return '';
    return `; one replica's target there ${fmt(target)}/s: ${r.achieved >= target ? 'met' : 'NOT met'}`;
  };
  console.log(
    `ratio: achieved/target polls/s = ${ratio.toFixed(3)} at ${fmt(first.generations)} (${fmt(first.achieved)} of ${fmt(first.target)}/s${replicaTarget(first)})` +
      (rs.length > 1
        ? `, ${(last.achieved / last.target).toFixed(3)} at ${fmt(last.generations)} (${fmt(last.achieved)} of ${fmt(last.target)}/s${replicaTarget(last)})`
        : '') +
      growth,
  );
  return { ratio };
}
