/**
 * `npm run chaos`: the full chaos suite (2,000 jobs). Options by flag or BENCH_* env:
 *   --jobs 2000 --kill-every-ms 3000 --chaos-ms 60000 --settle-ms 600000 --latency 300 --poison 1 --seed N --replicas 2
 */
import { chaosOptions, runChaos } from './chaos.js';

const { ok } = await runChaos(chaosOptions());
process.exit(ok ? 0 : 1);
