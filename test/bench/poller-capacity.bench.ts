/**
 * Poller capacity (benchmark 4): one poller process following N in-flight generations at
 * POLL_INTERVAL_S; polls/s achieved against N / interval, its CPU and memory, and how they
 * grow with N. See poller-capacity-run.ts.
 *
 *   npm run bench:poller [-- --generations 50000,100000 --interval-s 10 --seconds 30 --warmup-s 10 --concurrency 400]
 *
 * --concurrency sets POLL_CONCURRENCY (POLL_BATCH 4× it); without it the poller runs with
 * its defaults.
 */
import { intArg } from './bench-utils.js';
import { printPollerCapacity, runPollerCapacity } from './poller-capacity-run.js';
import { strArg } from './system-utils.js';

const raw = strArg('generations', '50000,100000');
const generations = raw.split(',').map((s) => Number(s.trim()));
if (!generations.length || generations.some((n) => !Number.isInteger(n) || n <= 0)) {
  console.error(`--generations must be positive integers separated by commas, got ${JSON.stringify(raw)}`);
  process.exit(2);
}
const intervalS = intArg('interval-s', 10);
const o = {
  generations,
  intervalS,
  seconds: intArg('seconds', 30),
  warmupS: intArg('warmup-s', intervalS),
  concurrency: intArg('concurrency', 0) || undefined,
};
console.log(
  `poller capacity benchmark: ${generations.join(', ')} generations, poll interval ${o.intervalS} s, ` +
    `${o.seconds}-s window`,
);
printPollerCapacity(o, await runPollerCapacity(o));
process.exit(0);
