/**
 * End to end and footprint: pixsim's five services beside the same flow on BullMQ, same
 * simulator (latency 0) and mongo-dev, in the same run. See e2e-run.ts.
 *
 *   npm run bench:e2e [-- --jobs 5000 --clients 64 --concurrency 50 --latency 0 --timeout-s 600 --paced-jobs 1000 --rate 25]
 *
 * Two runs: a burst of `jobs` (throughput; the overhead is mostly queueing), then
 * `paced-jobs` posted at a steady `rate` below both contenders' capacity (the overhead
 * is the pipeline's own).
 */
import { intArg } from './bench-utils.js';
import { printE2E, printFootprint, printPaced, runE2E } from './e2e-run.js';

const o = {
  jobs: intArg('jobs', 5_000),
  clients: intArg('clients', 64),
  concurrency: intArg('concurrency', 50),
  latencyMs: Number(
    process.env.BENCH_LATENCY ??
      (process.argv.includes('--latency') ? process.argv[process.argv.indexOf('--latency') + 1] : 0),
  ),
  timeoutMs: intArg('timeout-s', 600) * 1000,
};
const paced = { ...o, jobs: intArg('paced-jobs', 1_000), rate: intArg('rate', 25) };
console.log(
  `end-to-end benchmark: ${o.jobs} jobs, ${o.clients} clients, concurrency ${o.concurrency}, simulator latency ${o.latencyMs} ms; ` +
    `then ${paced.jobs} jobs at a steady ${paced.rate} jobs/s`,
);
const r = await runE2E(o);
printFootprint(o, r);
printE2E(o, r);
console.log('');
printPaced(paced, await runE2E(paced));
process.exit(0);
