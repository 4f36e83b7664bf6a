/**
 * The chaos suite, short (CI): 200 jobs, 20 s of chaos, two replicas of every service, the same faults and checks.
 * Exits 1 when an invariant fails. Flags as in main.ts override these sizes.
 */
import { chaosOptions, runChaos } from './chaos.js';

const { ok } = await runChaos(
  chaosOptions({ jobs: 200, killEveryMs: 3_000, chaosMs: 20_000, settleMs: 75_000, poisonJobs: 10 }),
);
process.exit(ok ? 0 : 1);
