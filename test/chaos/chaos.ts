/**
 * Chaos suite: the whole system (`--replicas` processes of each of the five services,
 * default 2, the simulator and mongo-dev as processes) under faults, then invariants
 * read from the databases, the streams and the simulator. Bounded in time, loopback
 * only; exits 1 when an invariant fails.
 *
 *   npm run chaos [-- --jobs 2000 --kill-every-ms 3000 --chaos-ms 60000 --settle-ms 600000 --poison 1 --replicas 2]
 *
 * Main run, during a run of `--jobs` jobs:
 *   - SIGKILL one random service replica every `--kill-every-ms` (± 50%); the supervisor restarts it;
 *   - CLIENT KILL TYPE normal once (every Redis client connection dropped);
 *   - the simulator fails 30% of submit and status calls: 500069, 5xx, timeouts, dropped connections;
 *   - mongo-dev stopped (SIGSTOP) for 5 s once, then SIGCONT;
 *   - every fourth job names a callback_url on this process, which answers 500 to a fifth of the POSTs.
 * After `--chaos-ms` the faults stop and the system settles; then the checks.
 * Poison run (same system, afterwards): malformed entries injected into every stream
 * must end in that stream's DLQ, once per consumer group, while good jobs still complete.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import { CONSUMERS, createKeys, EVENT_TYPES, type EventType, type Keys } from '@pixsim/contracts';
import { streamStats } from '@pixsim/bus';
import { fingerprint, seededRng } from '@pixsim/pixverse-sim';
import { intArg } from '../bench/bench-utils.js';
import {
  pool,
  printGrid,
  REDIS_URL,
  serviceProcesses,
  startBenchSystem,
  strArg,
  TEXT_PARAMS,
  waitUntil,
  type BenchSystem,
} from '../bench/system-utils.js';
import {
  CALLBACK_SECRET,
  callbackCheck,
  pendingCallbacks,
  startCallbackReceiver,
  type CallbackReceiver,
} from './callbacks.js';

export interface ChaosOptions {
  jobs: number;
  killEveryMs: number;
  chaosMs: number;
  settleMs: number;
  latencyMs: number;
  poison: boolean;
  poisonJobs: number;
  seed: number;
  /** Processes of every service; kills pick one replica at a time. */
  replicas: number;
}

export function chaosOptions(defaults: Partial<ChaosOptions> = {}): ChaosOptions {
  return {
    jobs: intArg('jobs', defaults.jobs ?? 2_000),
    killEveryMs: intArg('kill-every-ms', defaults.killEveryMs ?? 3_000),
    chaosMs: intArg('chaos-ms', defaults.chaosMs ?? 60_000),
    settleMs: intArg('settle-ms', defaults.settleMs ?? 600_000),
    latencyMs: intArg('latency', defaults.latencyMs ?? 300),
    poison: strArg('poison', defaults.poison === false ? '0' : '1') !== '0',
    poisonJobs: intArg('poison-jobs', defaults.poisonJobs ?? 50),
    seed: intArg('seed', defaults.seed ?? Date.now() % 1_000_000),
    replicas: intArg('replicas', defaults.replicas ?? 2),
  };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const FAULTS = {
  highLoadRate: 0.09,
  http5xxRate: 0.07,
  timeoutRate: 0.07,
  timeoutMs: 2_500,
  dropRate: 0.07,
  endpoints: ['text_generate', 'result'] as Array<'text_generate' | 'result'>,
};
const NO_FAULTS = { highLoadRate: 0, http5xxRate: 0, timeoutRate: 0, dropRate: 0 };

const log = (msg: string): void =>
  void process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);

export async function runChaos(o: ChaosOptions): Promise<{ checks: Check[]; ok: boolean }> {
  const started = Date.now();
  console.log(
    `chaos: ${o.jobs} jobs, ${o.replicas} replica(s) of every service, one random service replica SIGKILLed every ~${o.killEveryMs} ms for ${o.chaosMs} ms, ` +
      `30% simulator faults, one CLIENT KILL, mongo-dev paused 5 s; settle ≤ ${o.settleMs} ms; seed ${o.seed}`,
  );
  const receiver = await startCallbackReceiver(seededRng(o.seed + 1));
  const sys = await startBenchSystem({
    label: 'chaos',
    ownMongo: true,
    simulator: {
      latencyMs: o.latencyMs,
      accounts: [{ apiKey: 'sim-key-chaos', credits: 100_000_000, maxConcurrent: 500 }],
    },
    env: {
      POLL_INTERVAL_S: '1',
      MAX_JOBS: '20',
      CLAIM_TIMEOUT_MS: '3000',
      LEASE_MS: '4000',
      // Provider calls end before the simulator's 2.5 s timeouts answer; intents go stale after that.
      PROVIDER_TIMEOUT_MS: '2000',
      SUBMIT_STALE_MS: '6000',
      RETRY_BASE_MS: '200',
      MAX_TRIES: '8',
      BREAKER_RESET_MS: '2000',
      COOLDOWN_MS: '1000',
      SCAN_INTERVAL_MS: '500',
      RECONCILE_INTERVAL_MS: '2000',
      LOG_LEVEL: 'warn',
      CALLBACK_SECRET,
      CALLBACK_ALLOW_PRIVATE: 'true',
      CALLBACK_FIRST_RETRY_MS: '200',
      CALLBACK_MAX_ATTEMPTS: '20',
      CALLBACK_TIMEOUT_MS: '2000',
    },
    restart: { initialDelayMs: 250 },
    replicas: o.replicas,
  });
  const keys = createKeys(sys.prefix);
  const mongo = await mongoose.createConnection(sys.mongoUri, { serverSelectionTimeoutMS: 30_000 }).asPromise();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  redis.on('error', () => {}); // CLIENT KILL drops this one too; ioredis reconnects
  const checks: Check[] = [];
  try {
    log(`system up in ${((Date.now() - started) / 1000).toFixed(1)} s (prefix ${sys.prefix})`);
    const accepted = await mainRun(sys, redis, o, receiver);
    log(`settling (≤ ${o.settleMs} ms)`);
    const settled = await settle(sys, redis, mongo, keys, o.settleMs);
    checks.push({ name: 'settled in time', ok: settled.ok, detail: settled.detail });
    checks.push(...(await invariants(sys, redis, mongo, keys, accepted)));
    const statusOf = new Map(
      (await mongo.useDb(`${sys.prefix}-job-intake`).collection('jobs').find({}).toArray()).map((j) => [
        String(j._id),
        String(j.status),
      ]),
    );
    // The jobs are the admin token's: its callbacks are signed with the secret derived for it.
    const ownSecret = await fetch(`${sys.gatewayUrls[0]}/api/v1/users/me/callback-secret`, {
      headers: { authorization: `Bearer ${sys.adminToken}` },
    }).then(async (r) => ((await r.json()) as { secret: string }).secret);
    checks.push(await callbackCheck(mongo, sys.prefix, receiver, accepted.callbacks, statusOf, ownSecret));
    if (o.poison) checks.push(...(await poisonRun(sys, redis, keys, o)));
  } catch (err) {
    checks.push({ name: 'ran to the end', ok: false, detail: (err as Error).stack ?? String(err) });
  } finally {
    const failed = checks.some((c) => !c.ok);
    if (failed) sys.dumpLogs('a chaos check failed', 150);
    redis.disconnect();
    await mongo.close().catch(() => {});
    await sys.close();
    await receiver.close();
  }
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  printGrid(
    `chaos invariants (${((Date.now() - started) / 1000).toFixed(0)} s)`,
    ['check', 'result', 'detail'],
    checks.map((c) => [c.name, c.ok ? 'ok' : 'FAILED', c.detail.split('\n')[0]!.slice(0, 160)]),
  );
  for (const c of checks.filter((x) => !x.ok && x.detail.includes('\n'))) console.log(`\n${c.name}:\n${c.detail}`);
  console.log(
    `ratio: ${checks.filter((c) => c.ok).length}/${checks.length} checks passed (${ok ? 'all met' : 'NOT met'})`,
  );
  return { checks, ok };
}

interface Accepted {
  ids: Set<string>;
  ambiguous: number;
  refused: number;
  replayed: number;
  prompts: Map<string, string>;
  callbacks: Set<string>;
}

async function mainRun(sys: BenchSystem, redis: Redis, o: ChaosOptions, receiver: CallbackReceiver): Promise<Accepted> {
  // Seeded, so a failing kill schedule can be replayed with --seed.
  const random = seededRng(o.seed);
  const accepted: Accepted = {
    ids: new Set(),
    ambiguous: 0,
    refused: 0,
    replayed: 0,
    prompts: new Map(),
    callbacks: new Set(),
  };
  await sys.setFaults(FAULTS);
  const chaosEnd = Date.now() + o.chaosMs;
  const events: string[] = [];
  let chaosDone = false;

  const chaos = (async () => {
    const t0 = Date.now();
    let clientKilled = false;
    let mongoPaused = false;
    while (Date.now() < chaosEnd) {
      await sleep(o.killEveryMs * (0.5 + random()));
      if (Date.now() >= chaosEnd) break;
      const elapsed = Date.now() - t0;
      // One replica at a time: with several, the others keep serving while it restarts.
      const names = serviceProcesses(sys);
      const victim = names[Math.floor(random() * names.length)]!;
      if (sys.processes[victim]?.state === 'ready') {
        await sys.kill(victim, 'SIGKILL');
        events.push(`kill ${victim}`);
        log(`SIGKILL ${victim}`);
      }
      if (!clientKilled && elapsed > o.chaosMs / 3) {
        clientKilled = true;
        const killer = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
        const n = await killer.call('CLIENT', 'KILL', 'TYPE', 'normal').catch((e: Error) => e.message);
        killer.disconnect();
        events.push(`CLIENT KILL (${n})`);
        log(`CLIENT KILL TYPE normal → ${n}`);
      }
      if (!mongoPaused && elapsed > o.chaosMs / 2) {
        mongoPaused = true;
        const pid = sys.processes['mongo-dev']!.pid!;
        process.kill(pid, 'SIGSTOP');
        log('mongo-dev SIGSTOP');
        await sleep(5_000);
        process.kill(pid, 'SIGCONT');
        events.push('mongo-dev paused 5 s');
        log('mongo-dev SIGCONT');
      }
    }
    chaosDone = true;
  })();

  const submitStarted = Date.now();
  // Submits spread over the first part of the chaos window, so faults land on every stage.
  const spreadMs = Math.max(1, o.chaosMs * 0.6);
  await pool(o.jobs, 16, async (i) => {
    const due = submitStarted + (spreadMs * i) / o.jobs;
    if (due > Date.now()) await sleep(due - Date.now());
    // The gateway may be down (killed, restarting: several seconds on two cores): keep
    // trying for up to two minutes per job.
    const giveUpAt = Date.now() + 120_000;
    // One Idempotency-Key per job, as a careful client sends: a retry after an answer lost
    // to a kill gets the job the first attempt created (200) instead of making another.
    const idempotencyKey = `chaos-${sys.prefix}-${i}`;
    const prompt = `chaos job #${i} (${sys.prefix})`;
    const callback = i % 4 === 0 ? { callback_url: receiver.url } : {};
    for (let attempt = 0; Date.now() < giveUpAt; attempt++) {
      try {
        // As behind a load balancer: jobs spread over the gateway replicas, and a retry goes to the next one.
        const gateway = sys.gatewayUrls[(i + attempt) % sys.gatewayUrls.length];
        const res = await fetch(`${gateway}/api/v1/jobs`, {
          method: 'POST',
          signal: AbortSignal.timeout(10_000),
          headers: {
            authorization: `Bearer ${sys.adminToken}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify({ operation_type: 'text_to_video', params: { prompt, ...TEXT_PARAMS }, ...callback }),
        });
        const body = (await res.json().catch(() => null)) as { id?: string } | null;
        if ((res.status === 202 || res.status === 200) && body?.id) {
          if (res.status === 200) accepted.replayed++;
          accepted.ids.add(body.id);
          accepted.prompts.set(body.id, prompt);
          if (callback.callback_url) accepted.callbacks.add(body.id);
          return;
        }
        accepted.refused++;
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        if (code !== 'ECONNREFUSED') accepted.ambiguous++;
        else accepted.refused++;
      }
      await sleep(500);
    }
    throw new Error(`job #${i}: not accepted within 120 s`);
  });
  log(
    `${accepted.ids.size} jobs accepted in ${((Date.now() - submitStarted) / 1000).toFixed(1)} s ` +
      `(${accepted.refused} refused and retried, ${accepted.ambiguous} unclear outcomes retried, ` +
      `${accepted.replayed} answered by the job an earlier attempt made)`,
  );
  await chaos;
  void chaosDone;
  await sys.setFaults(NO_FAULTS);
  log(`chaos over: ${events.join(', ')}`);
  return accepted;
}

/** Waits until every job of the system of record is terminal and every group has read and acknowledged everything. */
async function settle(
  sys: BenchSystem,
  redis: Redis,
  mongo: Connection,
  keys: Keys,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const intake = mongo.useDb(`${sys.prefix}-job-intake`).collection('jobs');
  const dispatcher = mongo.useDb(`${sys.prefix}-dispatcher`).collection('accounts');
  let last = '';
  const t0 = Date.now();
  const ok = await waitUntil(
    async () => {
      const open = await intake.countDocuments({ status: { $nin: [...TERMINAL] } });
      const stats = await streamStats(redis, keys);
      const busy = stats.flatMap((s) =>
        s.groups.filter((g) => g.pending > 0 || (g.lag ?? 0) > 0).map((g) => `${s.type}/${g.group}`),
      );
      const inFlight = (await dispatcher.find({}).toArray()).reduce((n, a) => n + Number(a.in_flight ?? 0), 0);
      const down = serviceProcesses(sys).filter((s) => sys.processes[s]?.state !== 'ready');
      const callbacks = await pendingCallbacks(mongo, sys.prefix);
      last =
        `${open} jobs open, ${busy.length} groups busy${busy.length ? ` (${busy.slice(0, 4).join(' ')})` : ''}, ${inFlight} account slots held, ` +
        `${callbacks} callbacks to deliver, ${down.length ? `down: ${down.join(' ')}` : 'all services ready'}`;
      return open === 0 && busy.length === 0 && inFlight === 0 && callbacks === 0 && down.length === 0;
    },
    timeoutMs,
    1_000,
  );
  return { ok, detail: `${((Date.now() - t0) / 1000).toFixed(1)} s; ${last}` };
}

async function readStream(redis: Redis, key: string): Promise<Array<[string, Record<string, string>]>> {
  const out: Array<[string, Record<string, string>]> = [];
  let start = '-';
  for (;;) {
    const page = (await redis.xrange(key, start, '+', 'COUNT', 2000)) as [string, string[]][];
    for (const [id, f] of page) {
      const rec: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) rec[f[i]!] = f[i + 1]!;
      out.push([id, rec]);
    }
    if (page.length < 2000) return out;
    start = `(${page.at(-1)![0]}`;
  }
}

const jobIdOf = (rec: Record<string, string>): string | null => {
  try {
    return (JSON.parse(rec.data ?? 'null') as { job_id?: string } | null)?.job_id ?? null;
  } catch {
    return null;
  }
};

async function invariants(
  sys: BenchSystem,
  redis: Redis,
  mongo: Connection,
  keys: Keys,
  accepted: Accepted,
): Promise<Check[]> {
  const checks: Check[] = [];
  const intakeJobs = (await mongo
    .useDb(`${sys.prefix}-job-intake`)
    .collection('jobs')
    .find({})
    .toArray()) as unknown as Array<{ _id: string; status: string; request: unknown }>;
  const gatewayJobs = new Map(
    (
      (await mongo.useDb(`${sys.prefix}-gateway`).collection('jobs').find({}).toArray()) as unknown as Array<{
        _id: string;
        status: string;
        asset_id?: string | null;
      }>
    ).map((j) => [j._id, j]),
  );
  const assets = (await mongo
    .useDb(`${sys.prefix}-asset`)
    .collection('assets')
    .find({})
    .toArray()) as unknown as Array<{ job_id: string; asset_id: string }>;
  const byId = new Map(intakeJobs.map((j) => [j._id, j]));

  // 1. Every job in exactly one terminal state.
  const missing = [...accepted.ids].filter((id) => !byId.has(id));
  // With an Idempotency-Key on every POST, a job no answer named would be a retry that made a second job.
  const unanswered = intakeJobs.filter((j) => !accepted.ids.has(j._id));
  const open = intakeJobs.filter((j) => !TERMINAL.has(j.status));
  const completedIds = new Set((await readStream(redis, keys.stream('JOB_COMPLETED'))).map(([, r]) => jobIdOf(r)));
  const failedIds = new Set((await readStream(redis, keys.stream('JOB_FAILED'))).map(([, r]) => jobIdOf(r)));
  const both = [...completedIds].filter((id) => id && failedIds.has(id));
  const disagree = intakeJobs.filter((j) => gatewayJobs.get(j._id)?.status !== j.status);
  const counts: Record<string, number> = {};
  for (const j of intakeJobs) counts[j.status] = (counts[j.status] ?? 0) + 1;
  checks.push({
    name: 'every job in exactly one terminal state',
    ok:
      missing.length === 0 &&
      unanswered.length === 0 &&
      open.length === 0 &&
      both.length === 0 &&
      disagree.length === 0,
    detail:
      `${intakeJobs.length} jobs (${accepted.ids.size} accepted): ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ` +
      `missing ${missing.length}, made twice ${unanswered.length}, not terminal ${open.length}, both completed and failed ${both.length}, gateway view differs ${disagree.length}` +
      (open.length || missing.length || unanswered.length || both.length || disagree.length
        ? `\n${[
            ...open.slice(0, 5).map((j) => `open ${j._id} ${j.status}`),
            ...missing.slice(0, 5).map((id) => `missing ${id}`),
            ...unanswered.slice(0, 5).map((j) => `made twice ${j._id}`),
            ...both.slice(0, 5).map((id) => `both ${id}`),
            ...disagree
              .slice(0, 5)
              .map((j) => `differs ${j._id} intake ${j.status} gateway ${gatewayJobs.get(j._id)?.status}`),
          ].join('\n')}`
        : ''),
  });

  // 2. Every COMPLETED job has exactly one asset (and no other job has one).
  const assetsPerJob = new Map<string, number>();
  for (const a of assets) assetsPerJob.set(a.job_id, (assetsPerJob.get(a.job_id) ?? 0) + 1);
  const completed = intakeJobs.filter((j) => j.status === 'COMPLETED');
  const wrongCount = completed.filter((j) => assetsPerJob.get(j._id) !== 1);
  const stray = assets.filter((a) => byId.get(a.job_id)?.status !== 'COMPLETED');
  const announced = new Map<string, Set<string>>();
  for (const [, r] of await readStream(redis, keys.stream('ASSET_CREATED'))) {
    const d = JSON.parse(r.data!) as { job_id: string; asset_id: string };
    (announced.get(d.job_id) ?? announced.set(d.job_id, new Set()).get(d.job_id)!).add(d.asset_id);
  }
  const twoIds = [...announced].filter(([, s]) => s.size > 1);
  const viewWithout = completed.filter((j) => !gatewayJobs.get(j._id)?.asset_id);
  checks.push({
    name: 'every COMPLETED job has exactly one asset',
    ok: wrongCount.length === 0 && stray.length === 0 && twoIds.length === 0 && viewWithout.length === 0,
    detail:
      `${completed.length} completed, ${assets.length} assets; wrong count ${wrongCount.length}, assets of non-completed jobs ${stray.length}, ` +
      `jobs announced with two asset ids ${twoIds.length}, gateway view without asset ${viewWithout.length}` +
      (wrongCount.length
        ? `\n${wrongCount
            .slice(0, 5)
            .map((j) => `${j._id}: ${assetsPerJob.get(j._id) ?? 0} assets`)
            .join('\n')}`
        : ''),
  });

  // 3. No generation submitted twice, or every duplicate explained by a "possible duplicate" record of the dispatcher.
  const stats = await sys.simStats();
  const byFingerprint = new Map<string, string>();
  for (const [id, prompt] of accepted.prompts) {
    byFingerprint.set(fingerprint({ kind: 'text', prompt, ...TEXT_PARAMS, motion_mode: 'normal' } as never), id);
  }
  const logs = sys.logs().filter((l) => l.includes('possible duplicate'));
  const explained: string[] = [];
  const unexplained: string[] = [];
  for (const fp of stats.duplicate_fingerprints) {
    const id = byFingerprint.get(fp);
    if (id && logs.some((l) => l.includes(id))) explained.push(id);
    else
      unexplained.push(id ? `${id} (no "possible duplicate" log line)` : `fingerprint ${fp} (no job with that prompt)`);
  }
  checks.push({
    name: 'no generation submitted twice unexplained',
    ok: unexplained.length === 0 && (stats.duplicates === 0 || stats.duplicate_fingerprints.length > 0),
    detail:
      `${stats.total_submissions} accepted submissions, ${stats.duplicates} duplicates: ${explained.length} explained by the dispatcher's possible-duplicate record, ` +
      `${unexplained.length} unexplained; ${logs.length} possible-duplicate log lines; faults injected ${JSON.stringify(stats.faults_injected)}` +
      (unexplained.length ? `\n${unexplained.slice(0, 10).join('\n')}` : ''),
  });

  // 4. Nothing pending; every dead letter has a reason.
  const sstats = await streamStats(redis, keys);
  const pending = sstats.flatMap((s) =>
    s.groups.filter((g) => g.pending > 0).map((g) => `${s.type}/${g.group} ${g.pending}`),
  );
  const dlq: string[] = [];
  const noReason: string[] = [];
  for (const type of EVENT_TYPES) {
    for (const [id, r] of await readStream(redis, keys.deadLetter(type))) {
      dlq.push(`${type}/${r.dlq_group}: ${(r.dlq_reason ?? '').slice(0, 100)}`);
      if (!r.dlq_reason) noReason.push(`${type} ${id}`);
    }
  }
  checks.push({
    name: 'no entry pending, no dead letter without a reason',
    ok: pending.length === 0 && noReason.length === 0,
    detail:
      `pending ${pending.length ? pending.join(', ') : 'none'}; ${dlq.length} dead letters, ${noReason.length} without dlq_reason` +
      (dlq.length ? `\n${dlq.slice(0, 20).join('\n')}` : ''),
  });

  // 5. Account in-flight counters back to zero (dispatcher's record and the simulator's).
  const accounts = (await mongo
    .useDb(`${sys.prefix}-dispatcher`)
    .collection('accounts')
    .find({})
    .toArray()) as unknown as Array<{ _id: string; in_flight: number }>;
  const held = accounts.filter((a) => a.in_flight !== 0);
  const simHeld = Object.entries(stats.in_flight).filter(([, n]) => n !== 0);
  checks.push({
    name: 'account in-flight counters back to zero',
    ok: held.length === 0 && simHeld.length === 0 && accounts.length > 0,
    detail:
      `${accounts.length} accounts: ${accounts.map((a) => `${a._id}=${a.in_flight}`).join(', ')}; simulator ` +
      `in_flight ${JSON.stringify(stats.in_flight)}`,
  });

  // Context: what the supervisor saw.
  const restarts = serviceProcesses(sys)
    .map((s) => `${s} ${sys.processes[s]?.restarts ?? 0}`)
    .join(', ');
  checks.push({
    name: 'services restarted by the supervisor',
    ok: serviceProcesses(sys).every((s) => sys.processes[s]?.state === 'ready'),
    detail: restarts,
  });
  return checks;
}

/**
 * Malformed entries on every stream: each one dead-lettered by each of its groups with a reason; good jobs
 * still complete.
 */
async function poisonRun(sys: BenchSystem, redis: Redis, keys: Keys, o: ChaosOptions): Promise<Check[]> {
  log('poison run');
  const restartsBefore = Object.fromEntries(serviceProcesses(sys).map((s) => [s, sys.processes[s]?.restarts ?? 0]));
  const now = new Date().toISOString();
  const poison = (type: EventType, n: number): string[][] => [
    ['garbage', `poison ${n}`], // no envelope at all
    ['id', `poison-${type}-${n}-a`, 'type', type, 'v', '1', 'at', now, 'data', '{not json'], // data is not JSON
    [
      'id',
      `poison-${type}-${n}-b`,
      'type',
      type,
      'v',
      '1',
      'at',
      now,
      'data',
      JSON.stringify({ job_id: 42, nonsense: true }),
    ], // fails the schema
    ['id', `poison-${type}-${n}-c`, 'type', 'NOT_A_TYPE', 'v', '1', 'at', now, 'data', '{}'], // unknown type
    ['id', `poison-${type}-${n}-d`, 'type', type, 'v', 'x', 'at', 'yesterday', 'data', '{}'], // bad version and time
  ];
  const injected = new Map<EventType, string[]>();
  for (const type of EVENT_TYPES) {
    const ids: string[] = [];
    for (const fields of poison(type, 1)) ids.push((await redis.xadd(keys.stream(type), '*', ...fields))!);
    injected.set(type, ids);
  }
  const jobIds: string[] = [];
  await pool(o.poisonJobs, 8, async (i) => {
    const res = await sys.api<{ id: string }>('POST', '/api/v1/jobs', {
      operation_type: 'text_to_video',
      params: { prompt: `after the poison #${i}`, ...TEXT_PARAMS },
    });
    if (res.status !== 202) throw new Error(`poison run: POST answered ${res.status} ${JSON.stringify(res.body)}`);
    jobIds.push(res.body.id);
  });
  const perEntry = [...injected.values()][0]!.length;
  const expectedLetters = EVENT_TYPES.reduce((n, t) => n + CONSUMERS[t].length * perEntry, 0);
  const found = async () => {
    const got = new Map<string, string>(); // `${type} ${sourceId} ${group}` → reason
    for (const type of EVENT_TYPES) {
      const ids = new Set(injected.get(type));
      for (const [, r] of await readStream(redis, keys.deadLetter(type))) {
        if (ids.has(r.dlq_source_id!)) got.set(`${type} ${r.dlq_source_id} ${r.dlq_group}`, r.dlq_reason ?? '');
      }
    }
    return got;
  };
  let letters = new Map<string, string>();
  let jobsDone = 0;
  let pending: string[] = [];
  // A job reads COMPLETED before its ASSET_CREATED has been handled everywhere, so a single look at the
  // groups right then can catch entries still in a handler. Wait for the groups to drain as well: an entry
  // that stays pending for the whole minute is a real failure and is reported below.
  const ok = await waitUntil(
    async () => {
      letters = await found();
      const statuses = await Promise.all(jobIds.map((id) => sys.api<{ status: string }>('GET', `/api/v1/jobs/${id}`)));
      jobsDone = statuses.filter((r) => r.status === 200 && r.body.status === 'COMPLETED').length;
      const sstats = await streamStats(redis, keys);
      pending = sstats.flatMap((s) =>
        s.groups
          .filter((g) => g.pending > 0 || (g.lag ?? 0) > 0)
          .map((g) => `${s.type}/${g.group} ${g.pending} pending, ${g.lag ?? 0} unread`),
      );
      return letters.size >= expectedLetters && jobsDone === jobIds.length && pending.length === 0;
    },
    60_000,
    1_000,
  );
  const missingLetters: string[] = [];
  for (const type of EVENT_TYPES) {
    for (const id of injected.get(type)!)
      for (const group of CONSUMERS[type])
        if (!letters.has(`${type} ${id} ${group}`)) missingLetters.push(`${type} ${id} ${group}`);
  }
  const noReason = [...letters].filter(([, r]) => !r).map(([k]) => k);
  const restarted = serviceProcesses(sys).filter(
    (s) => (sys.processes[s]?.restarts ?? 0) !== restartsBefore[s] || sys.processes[s]?.state !== 'ready',
  );
  const sample = [...letters.values()]
    .slice(0, 3)
    .map((r) => r.slice(0, 60))
    .join(' | ');
  return [
    {
      name: 'poison: every malformed entry in the DLQ, per group',
      ok: missingLetters.length === 0 && noReason.length === 0 && pending.length === 0,
      detail:
        `${perEntry} malformed entries × ${EVENT_TYPES.length} streams → ${letters.size}/${expectedLetters} dead letters (one per group), ` +
        `${noReason.length} without reason, pending ${pending.length ? pending.join(', ') : 'none'}; e.g. ${sample}` +
        (missingLetters.length ? `\nmissing:\n${missingLetters.slice(0, 15).join('\n')}` : ''),
    },
    {
      name: 'poison: nothing else stops',
      ok: ok && jobsDone === jobIds.length && restarted.length === 0,
      detail:
        `${jobsDone}/${jobIds.length} jobs submitted after the poison COMPLETED; services crashed or not ` +
        `ready: ${restarted.length ? restarted.join(', ') : 'none'}`,
    },
  ];
}
