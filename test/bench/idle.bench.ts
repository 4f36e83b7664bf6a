/**
 * Idle memory over time: the five services started as the end-to-end benchmark starts them
 * (its settings, its simulator account), nothing submitted, each one's resident memory read
 * every `step-s` seconds for `seconds`. `bench:e2e --idle-s N` gives one reading and then runs
 * the burst; this one shows whether an idle replica settles or keeps growing.
 *
 *   npm run bench:idle [-- --seconds 600 --step-s 60]
 *
 * Ends with the line `ratio: largest idle service / target = X.XX (<service> <MiB> MiB …)`
 * for the last reading.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { intArg } from './bench-utils.js';
import { e2eSystemOptions, RSS_TARGET_MIB } from './e2e-run.js';
import { printGrid, rssMiB, serviceProcesses, startBenchSystem } from './system-utils.js';

const seconds = intArg('seconds', 600);
const stepS = intArg('step-s', 60);
console.log(`idle benchmark: five services, nothing submitted, resident memory every ${stepS} s for ${seconds} s`);

const sys = await startBenchSystem(e2eSystemOptions({ latencyMs: 0, concurrency: 50 }));
const names = serviceProcesses(sys);
const rows: Array<Array<string | number>> = [];
let last: Record<string, number> = {};
try {
  for (let t = 0; t <= seconds; t += stepS) {
    if (t > 0) await sleep(stepS * 1000);
    last = Object.fromEntries(names.map((n) => [n, rssMiB(sys.processes[n]?.pid)]));
    rows.push([`${t}`, ...names.map((n) => Math.round(last[n] ?? 0))]);
    console.error(`idle: ${t} s of ${seconds}`);
  }
} finally {
  await sys.close();
}
printGrid(`resident memory (MiB) of each idle service, by seconds after ready`, ['s', ...names], rows);
const [worst, mib] = Object.entries(last).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
const ratio = mib / RSS_TARGET_MIB.idle;
console.log(
  `ratio: largest idle service / target = ${ratio.toFixed(2)} (${worst} ${Math.round(mib)} MiB after ${seconds} s, ` +
    `target ≤ ${RSS_TARGET_MIB.idle}: ${ratio <= 1 ? 'met' : 'NOT met'})`,
);
process.exit(0);
