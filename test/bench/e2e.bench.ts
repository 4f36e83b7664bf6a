/**
 * End to end and footprint: pixsim's five services beside the same flow on BullMQ, same
 * simulator (latency 0) and mongo-dev, in the same run. See e2e-run.ts.
 *
 *   npm run bench:e2e [-- --jobs 5000 --clients 64 --concurrency 50 --latency 0 --timeout-s 600]
 */
import { intArg } from './bench-utils.js';
import { printE2E, printFootprint, runE2E } from './e2e-run.js';

const o = {
  jobs: intArg('jobs', 5_000),
  clients: intArg('clients', 64),
  concurrency: intArg('concurrency', 50),
  latencyMs: Number(process.env.BENCH_LATENCY ?? (process.argv.includes('--latency') ? process.argv[process.argv.indexOf('--latency') + 1] : 0)),
  timeoutMs: intArg('timeout-s', 600) * 1000,
};
console.log(`end-to-end benchmark: ${o.jobs} jobs, ${o.clients} clients, concurrency ${o.concurrency}, simulator latency ${o.latencyMs} ms`);
const r = await runE2E(o);
printFootprint(o, r);
printE2E(o, r);
process.exit(0);
