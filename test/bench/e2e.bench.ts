/**
 * End to end and footprint: pixsim's five services beside the same flow on BullMQ, same
 * simulator (latency 0) and mongo-dev, in the same run. See e2e-run.ts.
 *
 *   npm run bench:e2e [-- --jobs 5000 --clients 64 --concurrency 50 --latency 0 --timeout-s 600 --paced-jobs 1000 --rate 25 --warmup-s 10 --replicas 2 --rounds 5 --idle-s 3]
 *
 * Two runs: a burst of `jobs` (throughput; the overhead is mostly queueing), then
 * `paced-jobs` posted at a steady `rate` below both contenders' capacity (the overhead
 * is the pipeline's own), after `warmup-s` seconds of jobs at that rate that are not
 * measured (0 measures from a cold start). With `--replicas N` (N > 1), each run is made again with N
 * processes of every pixsim service (POSTs spread over the N gateways), and the two
 * pixsim runs are printed side by side. Ends with the services' CPU and MongoDB round
 * trips per job of the burst, and the line `ratio: services CPU per job pixsim/BullMQ = X`
 * (with `--rounds N`, the burst is run N times and X is the median of the N ratios).
 */
import { intArg } from './bench-utils.js';
import { percentile, printGrid } from './system-utils.js';
import {
  perJob,
  printCpuPerJob,
  printE2E,
  printFootprint,
  printPaced,
  printReplicas,
  runE2E,
  runPixsimE2E,
} from './e2e-run.js';

const o = {
  jobs: intArg('jobs', 5_000),
  clients: intArg('clients', 64),
  concurrency: intArg('concurrency', 50),
  latencyMs: Number(
    process.env.BENCH_LATENCY ??
      (process.argv.includes('--latency') ? process.argv[process.argv.indexOf('--latency') + 1] : 0),
  ),
  timeoutMs: intArg('timeout-s', 600) * 1000,
  idleMs: intArg('idle-s', 3) * 1000,
};
const replicas = intArg('replicas', 1);
// The burst again, `rounds` times in all, each contender from fresh processes each time: one
// run's CPU per job moves by ±15% on a shared machine, and the two contenders do not move
// together, so the ratio to read is the median of the rounds.
const rounds = intArg('rounds', 1);
const rate = intArg('rate', 25);
// The steady rate is measured in steady state: each contender first runs `warmup-s` seconds of
// jobs at the same rate (its processes start fresh, and V8 compiles their hot paths in the
// first seconds), and only the jobs after that count.
const paced = {
  ...o,
  jobs: intArg('paced-jobs', 1_000),
  rate,
  warmupJobs: intArg('warmup-s', 10, { zero: true }) * rate,
  // The idle reading is the burst's; this run starts its processes without waiting for it.
  idleMs: 3_000,
};
console.log(
  `end-to-end benchmark: ${o.jobs} jobs, ${o.clients} clients, concurrency ${o.concurrency}, simulator latency ${o.latencyMs} ms; ` +
    `then ${paced.jobs} jobs at a steady ${paced.rate} jobs/s after ${paced.warmupJobs} warm-up jobs at that rate` +
    (replicas > 1 ? `; each run again with ${replicas} replicas of every pixsim service` : ''),
);
const r = await runE2E(o);
printFootprint(o, r);
printE2E(o, r);
if (replicas > 1) printReplicas(o, r.pixsim, await runPixsimE2E({ ...o, replicas }));
console.log('');
const p = await runE2E(paced);
printPaced(paced, p);
if (replicas > 1) printReplicas(paced, p.pixsim, await runPixsimE2E({ ...paced, replicas }));
// Last, so it is the line to read: CPU per job of the burst (the services against the BullMQ flow).
console.log('');
const ratios = [{ pixsim: perJob(r.pixsim, o.jobs).cpuMs, bullmq: perJob(r.bullmq, o.jobs).cpuMs }];
for (let i = 2; i <= rounds; i++) {
  const again = await runE2E(o);
  ratios.push({ pixsim: perJob(again.pixsim, o.jobs).cpuMs, bullmq: perJob(again.bullmq, o.jobs).cpuMs });
}
if (rounds > 1) {
  printGrid(
    `services' CPU per job over ${rounds} rounds of the ${o.jobs}-job burst (ms)`,
    ['round', 'pixsim', 'BullMQ flow', 'ratio'],
    ratios.map((x, i) => [i + 1, x.pixsim.toFixed(1), x.bullmq.toFixed(1), (x.pixsim / x.bullmq).toFixed(2)]),
  );
}
const first = printCpuPerJob(o, r);
if (rounds > 1) {
  const sorted = ratios.map((x) => x.pixsim / x.bullmq).sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  console.log(
    `ratio: services CPU per job pixsim/BullMQ = ${median.toFixed(2)} (median of ${rounds} rounds, ` +
      `${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}; the first round's, above: ${first.toFixed(2)})`,
  );
}
process.exit(0);
