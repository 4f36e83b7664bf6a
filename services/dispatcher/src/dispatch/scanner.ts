import type { LogPort } from '@pixsim/contracts';
import { every, type Timer } from '@pixsim/kit';
import type { SubmissionDoc, SubmissionStore } from '../store/submission-store.js';
import type { DispatchOutcome } from './dispatch-job.js';

export interface ScannerOptions {
  submissions: Pick<SubmissionStore, 'due'>;
  dispatchJob(jobId: string): Promise<DispatchOutcome>;
  /** The credits a waiting job would cost (the provider's estimate). */
  costOf(job: SubmissionDoc): number;
  /** Whether any account of the provider has a free slot now (credits aside). */
  hasFreeSlot(providerId: string): Promise<boolean>;
  intervalMs: number;
  staleMs: number;
  concurrency: number;
  logger: Pick<LogPort, 'warn'>;
  clock: () => Date;
  timer?: Timer;
}

/**
 * Looks at waiting jobs — highest priority, then oldest, first — every
 * interval and whenever something may have made an account eligible (a slot
 * freed, an account added or topped up). When a job finds no account, the pass
 * stops if no account has a free slot (the jobs after it would not find one
 * either); otherwise the job was too dear for the credits left, so the pass goes
 * on with cheaper jobs only. One expensive job never holds up the ones behind it.
 * A pass starts with one worker and adds one per job submitted, up to `concurrency`.
 */
export function createScanner(opts: ScannerOptions) {
  let again = false;
  let paused = false;
  let stopped = false;
  let waiting = 0;

  const pass = async () => {
    const now = opts.clock();
    const due = await opts.submissions.due(now, new Date(now.getTime() - opts.staleMs), opts.concurrency * 4);
    let blocked = false;
    let index = 0;
    // Jobs costing this much or more found no account in this pass; those left behind.
    let ceiling = Infinity;
    let left = 0;
    const workersAtMost = Math.min(opts.concurrency, due.length);
    await new Promise<void>((resolve, reject) => {
      let active = 0;
      const worker = async () => {
        while (!blocked && !paused && !stopped && index < due.length) {
          const job = due[index++]!;
          const cost = opts.costOf(job);
          if (cost >= ceiling) {
            left++;
            continue;
          }
          const outcome = await opts.dispatchJob(job._id);
          if (outcome === 'submitted') grow();
          else if (outcome === 'paused') blocked = true;
          else if (outcome === 'waiting_for_account') {
            left++;
            ceiling = Math.min(ceiling, cost);
            if (!(await opts.hasFreeSlot(job.provider_id))) blocked = true;
          }
        }
      };
      const grow = () => {
        if (active >= workersAtMost) return;
        active++;
        worker().then(
          () => {
            if (--active === 0) resolve();
          },
          (err: unknown) => {
            blocked = true; // the other workers stop at their next job
            reject(err);
          },
        );
      };
      // One worker first, one more per job submitted. While jobs wait for a slot, the pass
      // is woken by every slot that frees and every job that arrives; starting all workers
      // at once made each such pass claim, try and put back one job per worker (about 40
      // commands) for the one slot there was. Now a pass with no slot costs one try, and
      // one with many slots still reaches full concurrency within a few submits.
      if (workersAtMost === 0) resolve();
      else grow();
    });
    waiting = blocked ? due.length - index + left : left;
    if (!blocked && due.length === opts.concurrency * 4) again = true; // more may be due
  };

  const rounds = every({
    intervalMs: opts.intervalMs,
    timer: opts.timer,
    // A tick during a long pass runs the next right after it: while jobs wait, passes run back to back.
    pace: 'fixed-rate',
    async run() {
      if (paused || stopped) return;
      again = false;
      await pass();
      return again ? 0 : undefined; // a full pass: more may be due at once
    },
    onError: (err) => opts.logger.warn({ err }, 'scanning waiting jobs failed; will try again'),
  });

  return {
    start: () => rounds.start(),
    /** Something changed: look now rather than at the next tick. */
    kick: () => rounds.wake(),
    /** Jobs known to wait behind the last blocked pass; new jobs queue behind them. */
    get backlog() {
      return waiting;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      rounds.wake();
    },
    async stop() {
      stopped = true;
      await rounds.stop();
    },
  };
}
