/**
 * The benchmarks, short (CI): the gateway for 3 s per contender and 200 jobs end to end
 * (with the footprint table). Exits non-zero when a benchmark cannot complete; targets
 * missed are printed, not failed (a shared CI runner's numbers are not a verdict).
 */
import { printGateway, runGateway } from './gateway-run.js';
import { printE2E, printFootprint, runE2E } from './e2e-run.js';

const t0 = Date.now();
try {
  const g = { connections: 100, seconds: 3 };
  printGateway(g, await runGateway(g));
  const e = { jobs: 200, clients: 32, concurrency: 50, latencyMs: 0, timeoutMs: 90_000 };
  const r = await runE2E(e);
  printFootprint(e, r);
  printE2E(e, r);
} catch (err) {
  console.error(`benchmark could not complete: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
console.log(`\nbench ci: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);
