/**
 * Gateway (benchmark 2): `POST /api/v1/jobs` with autocannon (authenticated, valid
 * bodies, `connections` connections, `seconds` s) against the real gateway process
 * (Redis publish + read-model write in MongoDB), beside a bare fastify route that parses
 * the same body and does one XADD (bare-route.ts), in the same run.
 *
 * autocannon is loaded at run time: it is not a dependency of the repository yet
 * (`npm i --no-save autocannon@9.0.0`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  LIMITS_ABOVE_LOAD,
  printGrid,
  REDIS_URL,
  rssMiB,
  rssSampler,
  spawnTs,
  startBenchSystem,
  TEXT_PARAMS,
  deleteKeys,
} from './system-utils.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface GatewayOptions {
  connections: number;
  seconds: number;
  /** Seconds the gateway sits idle after it is ready before its resident memory is read; 0 skips the reading. */
  idleSeconds?: number;
  /**
   * Bare route then gateway, this many times (default 1). The machine's speed drifts over a
   * minute by more than the gap being measured, so each round's ratio pairs runs a few seconds
   * apart, and the median round is the figure.
   */
  rounds?: number;
}

/** The gateway process's resident memory (MiB): after `idleSeconds` idle, and its peak under the load. */
export interface GatewayMemory {
  idleMiB: number | null;
  peakMiB: number;
}
interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** CPU time the server process spent per answered request (user + system), in ms. */
  cpuMsPerRequest: number;
  /** Read and write system calls of the server process per answered request (sockets: clients, Redis, MongoDB). */
  syscallsPerRequest: number;
  /** The kernel's share of that CPU (system calls: sockets, scheduling). */
  systemShare: number;
}

/** User and system CPU seconds of a process so far (/proc/<pid>/stat). */
function cpuSplitOf(pid: number): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** The read and write system calls a process has made so far (/proc/<pid>/io). */
function syscallsOf(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0) + Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * `connections` clients for `seconds` against one server process (`pid`). Besides the rate, the
 * server's CPU per answered request: on a machine other work shares, the rate moves with the
 * CPU it is given, while its CPU per request, the cost of the path, moves much less.
 */
async function cannon(url: string, token: string, o: GatewayOptions, name: string, pid: number): Promise<Result> {
  let autocannon: any;
  try {
    autocannon = (await import('autocannon' as string)).default;
  } catch {
    throw new Error('autocannon is not installed: npm i --no-save autocannon@9.0.0 (or add it to devDependencies)');
  }
  const body = JSON.stringify({
    operation_type: 'text_to_video',
    params: { prompt: `a cat surfing ${randomUUID().slice(0, 6)}`, ...TEXT_PARAMS },
  });
  const cpu0 = cpuSplitOf(pid);
  const calls0 = syscallsOf(pid);
  const r = await autocannon({
    url: `${url}/api/v1/jobs`,
    method: 'POST',
    connections: o.connections,
    duration: o.seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const cpu1 = cpuSplitOf(pid);
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const cpu = user + system;
  const calls = syscallsOf(pid) - calls0;
  const ok = r['2xx'] as number;
  return {
    name,
    rps: ok / o.seconds,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuMsPerRequest: ok > 0 ? (cpu * 1000) / ok : 0,
    systemShare: cpu > 0 ? system / cpu : 0,
    syscallsPerRequest: ok > 0 ? calls / ok : 0,
  };
}

export interface GatewayRound {
  gateway: Result;
  bare: Result;
}

export interface GatewayRun {
  rounds: GatewayRound[];
  /** The round whose ratio is the median. */
  median: GatewayRound;
  memory: GatewayMemory;
}

const ratioOf = (r: GatewayRound) => r.gateway.rps / r.bare.rps;

export async function runGateway(o: GatewayOptions): Promise<GatewayRun> {
  const sys = await startBenchSystem({
    label: 'gw',
    services: ['gateway'],
    simulator: false,
    seedAccount: false,
    env: { LOG_LEVEL: 'warn', ...LIMITS_ABOVE_LOAD },
  });
  const bareStream = `gw-bare-${randomUUID().slice(0, 8)}:JOB_REQUESTED`;
  const rounds: GatewayRound[] = [];
  let memory: GatewayMemory;
  const gatewayPid = () => ({ gateway: sys.processes.gateway?.pid });
  try {
    // Idle first, before any request has warmed (and grown) it: what a replica holds doing nothing.
    let idleMiB: number | null = null;
    if (o.idleSeconds) {
      await sleep(o.idleSeconds * 1000);
      idleMiB = rssMiB(gatewayPid().gateway);
    }
    const child = await spawnTs(path.join(HERE, 'bare-route.ts'), [], {
      REDIS_URL,
      BARE_STREAM: bareStream,
      BARE_TOKEN: sys.adminToken,
    });
    try {
      // Warm both up (JIT, connection pools), then measure the bare route first.
      const warmUp = { connections: 10, seconds: 2 };
      await cannon(child.ready, sys.adminToken, warmUp, 'warm-up', child.pid);
      await cannon(sys.gatewayUrl!, sys.adminToken, warmUp, 'warm-up', gatewayPid().gateway!);
      const sampler = rssSampler(gatewayPid);
      for (let i = 0; i < Math.max(1, o.rounds ?? 1); i++) {
        const bare = await cannon(child.ready, sys.adminToken, o, 'bare fastify route + XADD', child.pid);
        const gateway = await cannon(sys.gatewayUrl!, sys.adminToken, o, 'pixsim gateway', gatewayPid().gateway!);
        rounds.push({ gateway, bare });
      }
      memory = { idleMiB, peakMiB: sampler.stop().gateway ?? 0 };
    } finally {
      await child.stop();
      await deleteKeys(REDIS_URL, bareStream);
    }
  } finally {
    await sys.close();
  }
  const byRatio = [...rounds].sort((a, b) => ratioOf(a) - ratioOf(b));
  return { rounds, median: byRatio[Math.floor((byRatio.length - 1) / 2)]!, memory };
}

/** Resident memory a service may hold: idle, and under load (the e2e benchmark's RSS_TARGET_MIB). */
const RSS_TARGET_MIB = { idle: 100, load: 150 } as const;

export function printGateway(o: GatewayOptions, run: GatewayRun): { ok: boolean } {
  const r = run.median;
  printGrid(
    `gateway: POST /api/v1/jobs, autocannon ${o.connections} connections × ${o.seconds} s, authenticated, valid ` +
      `bodies, rate limits on (set above the load)` +
      (run.rounds.length > 1 ? `; ${run.rounds.length} rounds, bare route then gateway` : ''),
    [
      'contender',
      '2xx',
      'non-2xx',
      'errors',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU ms/req',
      'of it in kernel',
      'syscalls/req',
    ],
    run.rounds.flatMap((round, i) =>
      [round.gateway, round.bare].map((x) => [
        run.rounds.length > 1 ? `${x.name} (${i + 1})` : x.name,
        x.ok,
        x.non2xx,
        x.errors,
        Math.round(x.rps),
        x.p50,
        x.p99,
        x.cpuMsPerRequest.toFixed(3),
        `${Math.round(x.systemShare * 100)}%`,
        x.syscallsPerRequest.toFixed(2),
      ]),
    ),
  );
  const ratio = ratioOf(r);
  const each = run.rounds.length > 1 ? ` (median of ${run.rounds.map((x) => ratioOf(x).toFixed(2)).join(', ')})` : '';
  // The targets: at least 0.3 of the bare route's rate, with a p99 under 100 ms at 100 connections.
  const ok = ratio >= 0.3 && r.gateway.p99 < 100 && r.gateway.ok > 0;
  console.log(
    `ratio: gateway/bare req/s = ${ratio.toFixed(2)}${each} (target ≥ 0.3 with p99 < 100 ms: ${ok ? 'met' : 'NOT met'}); ` +
      `p99 ${r.gateway.p99} ms vs ${r.bare.p99} ms; CPU per request bare/gateway = ` +
      `${(r.bare.cpuMsPerRequest / r.gateway.cpuMsPerRequest).toFixed(2)}`,
  );
  const { idleMiB, peakMiB } = run.memory;
  const idle = idleMiB === null ? 'not measured' : `${idleMiB.toFixed(0)} MiB after ${o.idleSeconds} s idle`;
  const memOk = (idleMiB === null || idleMiB <= RSS_TARGET_MIB.idle) && peakMiB <= RSS_TARGET_MIB.load;
  console.log(
    `gateway resident memory: ${idle}, ${peakMiB.toFixed(0)} MiB at most under the load ` +
      `(targets ≤ ${RSS_TARGET_MIB.idle} idle, ≤ ${RSS_TARGET_MIB.load} under load: ${memOk ? 'met' : 'NOT met'})`,
  );
  return { ok };
}
