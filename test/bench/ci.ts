/**
 * The benchmarks, short (CI): the gateway for 3 s per contender, 200 jobs end to end
 * (with the footprint table) and the poller following 5,000 generations for 10 s. Exits
 * non-zero when a benchmark cannot complete; targets missed are printed, not failed (a
 * shared CI runner's numbers are not a verdict), except a poller that makes less than
 * half its target polls: that is not noise.
 */
import { printGateway, runGateway } from './gateway-run.js';
import { printE2E, printFootprint, runE2E } from './e2e-run.js';
import { printPollerCapacity, runPollerCapacity } from './poller-capacity-run.js';

const t0 = Date.now();
try {
  const g = { connections: 100, seconds: 3 };
  printGateway(g, await runGateway(g));
  const e = { jobs: 200, clients: 32, concurrency: 50, latencyMs: 0, timeoutMs: 90_000 };
  const r = await runE2E(e);
  printFootprint(e, r);
  printE2E(e, r);
  const p = { generations: [5_000], intervalS: 10, seconds: 10, warmupS: 2 };
  const { ratio } = printPollerCapacity(p, await runPollerCapacity(p));
  if (ratio < 0.5) {
    console.error(
      `poller capacity: ${(100 * ratio).toFixed(1)}% of the target poll rate at 5,000 generations (under 50%)`,
    );
    process.exit(1);
  }
} catch (err) {
  console.error(`benchmark could not complete: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
console.log(`\nbench ci: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);
