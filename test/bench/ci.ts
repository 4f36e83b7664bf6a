/**
 * The benchmarks, short (CI): the gateway for 3 s per contender, 200 jobs end to end
 * (with the footprint table) and the poller following 5,000 generations for 10 s. Exits
 * non-zero when a benchmark cannot complete; targets missed are printed, not failed (a
 * shared CI runner's numbers are not a verdict), except what noise cannot explain: a
 * poller that makes less than half its target polls, services that use more than twice
 * the CPU per job (against the BullMQ flow in the same run) recorded below, send more than
 * twice the recorded MongoDB round trips per job, or a service that holds more than twice
 * its recorded idle memory.
 */
import { printGateway, runGateway } from './gateway-run.js';
import { perJob, printCpuPerJob, printE2E, printFootprint, runE2E } from './e2e-run.js';
import { printPollerCapacity, runPollerCapacity } from './poller-capacity-run.js';

/**
 * Recorded by `npm run bench:e2e` on the compiled build, Node 20, 2026-12-05 (docs/performance.md).
 * Twice these fails: a regression, not a noisy neighbour.
 */
const RECORDED = {
  /** Services' CPU per job over the BullMQ flow's, same run (28.6 ms / 12.0 ms, a 400-job burst). */
  cpuPerJobRatio: 2.4,
  /** MongoDB commands the services send per job (the group commits batch them). */
  mongoRoundTripsPerJob: 8.9,
  /** Highest idle RSS of one service, MiB (the gateway). */
  idleServiceMiB: 112,
} as const;

const t0 = Date.now();
const failures: string[] = [];
try {
  const g = { connections: 100, seconds: 3 };
  printGateway(g, await runGateway(g));
  const e = { jobs: 200, clients: 32, concurrency: 50, latencyMs: 0, timeoutMs: 90_000 };
  const r = await runE2E(e);
  printFootprint(e, r);
  printE2E(e, r);
  const cpuRatio = printCpuPerJob(e, r);
  if (cpuRatio > 2 * RECORDED.cpuPerJobRatio)
    failures.push(
      `services CPU per job pixsim/BullMQ = ${cpuRatio.toFixed(2)}, over twice the recorded ${RECORDED.cpuPerJobRatio}`,
    );
  const roundTrips = perJob(r.pixsim, e.jobs).mongoOps ?? 0;
  if (roundTrips > 2 * RECORDED.mongoRoundTripsPerJob)
    failures.push(
      `${roundTrips.toFixed(1)} MongoDB round trips per job, over twice the recorded ${RECORDED.mongoRoundTripsPerJob}`,
    );
  for (const [name, mib] of Object.entries(r.pixsim.idle))
    if (mib > 2 * RECORDED.idleServiceMiB)
      failures.push(`${name} idle at ${mib.toFixed(0)} MiB, over twice the recorded ${RECORDED.idleServiceMiB} MiB`);
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
if (failures.length) {
  for (const f of failures) console.error(`bench ci: ${f}`);
  process.exit(1);
}
console.log(`\nbench ci: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(0);
