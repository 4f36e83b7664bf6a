import type { LogPort } from '@pixsim/contracts';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { untracedContext } from '@pixsim/kit';
import { JOB_ERROR_CODES } from '@pixsim/contracts';
import type { GenerationStatus as ProviderStatus, VideoProvider } from '@pixsim/providers';
import { jobCompleted, jobFailed, type Publish } from './events.js';
import type { EndReason, Generation, PollStore } from './generation.js';
import { noPollMetrics, type PollMetrics } from './poll-metrics.js';
import { describeError, errorKind } from './poll-errors.js';
import { errorBackoff, isTimedOut, nextPollAt, pollInterval, type ScheduleSettings } from './schedule.js';
import { every } from '@pixsim/kit';

export interface PollLoopSettings extends ScheduleSettings {
  tickMs: number;
  /** Generations claimed per tick at most. */
  batch: number;
  /** Provider calls at once at most. */
  concurrency: number;
  leaseMs: number;
}

type LoopLogger = Pick<LogPort, 'warn' | 'error'>;

export interface PollLoopDeps {
  store: PollStore;
  provider: Pick<VideoProvider, 'status'>;
  publish: Publish;
  clock: () => Date;
  /** Opens a generation's sealed credential (bound to its account) in memory, for one call. */
  openCredential: (gen: Pick<Generation, 'account_id' | 'credential'>) => string;
  /** Unique per replica: the lease owner. */
  owner: string;
  settings: PollLoopSettings;
  logger: LoopLogger;
  metrics?: PollMetrics;
  random?: () => number;
}

export interface PollLoop {
  /** One round: claims and polls due generations (up to `batch`); resolves with how many it claimed. */
  tick(): Promise<number>;
  start(): void;
  /** Stops claiming; resolves when the running round has settled every poll it started. */
  stop(): Promise<void>;
  /** Makes a generation due now (by job id or provider job id) and wakes the loop: for webhooks. */
  pokeNow(id: string): Promise<number>;
}

const FAILED_STATES = {
  failed: 'PROVIDER_FAILED',
  moderated: 'PROVIDER_MODERATION',
  deleted: 'PROVIDER_DELETED',
} as const;

export function createPollLoop(deps: PollLoopDeps): PollLoop {
  const { store, provider, publish, clock, owner, settings: s, logger } = deps;
  const metrics = deps.metrics ?? noPollMetrics;
  // A call must end well inside its lease, or a second replica could poll the same generation.
  const callTimeoutMs = Math.max(1, Math.floor(s.leaseMs / 2));
  const ageOf = (gen: Generation, now: Date) => now.getTime() - gen.submitted_at.getTime();
  const jobContextOf = (gen: Generation) => propagation.extract(ROOT_CONTEXT, gen.trace ?? {});

  /**
   * The first to end a generation announces its end, and only it: a cancel landing while
   * this poll ran wins, and the poll's outcome is dropped. A crash after the end was taken
   * and before its event went out is caught by `announceStranded`.
   */
  const end = (gen: Generation, reason: EndReason, event: Parameters<Publish>[0], now: Date) =>
    // In the job's trace even when the poll that decided it ran untraced (see pollOne).
    context.with(jobContextOf(gen), async () => {
      if (!(await store.beginEnd(gen, reason, event, now))) return;
      await publish(event);
      await store.finish(gen, reason, now);
    });

  /**
   * Ends taken by a replica that died before announcing them, older than a lease: announced
   * again (same event id). Looked for every few seconds, not on every tick: a busy loop ticks
   * many times a second, and a stranded end is rare and waits a lease anyway.
   */
  let nextStrandedCheck = 0;
  const announceStranded = async () => {
    if (clock().getTime() < nextStrandedCheck) return;
    nextStrandedCheck = clock().getTime() + Math.min(s.leaseMs, 5_000);
    try {
      for (const { gen, event } of await store.unannounced(new Date(clock().getTime() - s.leaseMs), s.batch)) {
        await publish(event);
        await store.finish(gen, (gen.end_reason ?? 'completed') as EndReason, clock());
      }
    } catch (err) {
      logger.warn({ err }, 'could not announce ended generations; trying again next tick');
    }
  };

  const timeOut = (gen: Generation, now: Date, detail: string) => {
    metrics.polled('timeout');
    const message = `the generation did not finish within ${s.jobTimeoutMs / 1000} s (${detail})`;
    return end(gen, 'timeout', jobFailed(gen, 'poll', 'TIMEOUT', message, now), now);
  };

  async function settle(gen: Generation, status: ProviderStatus): Promise<void> {
    const now = clock();
    if (status.state === 'pending') {
      if (isTimedOut(gen.submitted_at, now, s)) return timeOut(gen, now, 'still generating');
      metrics.polled('pending');
      const next = nextPollAt(gen.submitted_at, now, pollInterval(ageOf(gen, now), s.pollIntervalMs), s);
      return store.reschedule(gen, owner, { next_poll_at: next, failures: 0 });
    }
    if (status.state === 'completed') {
      if (!status.result) throw new Error('the provider reported completion without a result');
      await end(gen, 'completed', jobCompleted(gen, status.result, now), now);
      return metrics.polled('completed');
    }
    const code = FAILED_STATES[status.state];
    await end(gen, status.state, jobFailed(gen, 'poll', code, JOB_ERROR_CODES[code].description, now), now);
    metrics.polled(status.state);
  }

  /** Never swallowed: counted, logged, retried with backoff, and bounded by the job timeout. */
  async function failedPoll(gen: Generation, err: unknown, kind: string): Promise<void> {
    const now = clock();
    metrics.polled('error');
    metrics.pollError(kind);
    logger.warn(
      { job_id: gen.job_id, provider_job_id: gen.provider_job_id, kind, failures: gen.failures, err },
      'poll failed; retrying',
    );
    if (isTimedOut(gen.submitted_at, now, s)) return timeOut(gen, now, `last poll error: ${describeError(err)}`);
    // An open circuit says nothing about this generation: wait one interval, do not count it.
    const circuitOpen = kind === 'circuit_open';
    const failures = circuitOpen ? gen.failures : gen.failures + 1;
    let delay = circuitOpen
      ? pollInterval(ageOf(gen, now), s.pollIntervalMs)
      : errorBackoff(failures, s.pollIntervalMs, deps.random);
    delay = Math.max(delay, (err as { retryAfterMs?: number }).retryAfterMs ?? 0);
    await store.reschedule(gen, owner, { next_poll_at: nextPollAt(gen.submitted_at, now, delay, s), failures });
  }

  /**
   * Each poll runs in the job's trace (see Submission.trace), but a generation polled for
   * an hour must not make a trace of a thousand spans: only its first polls and those
   * after a failure make spans; the others run untraced. Whatever ends the generation
   * (JOB_COMPLETED, JOB_FAILED) is always published in the job's trace.
   */
  function pollOne(gen: Generation): Promise<void> {
    const traced = gen.failures > 0 || ageOf(gen, clock()) < 2 * s.pollIntervalMs;
    const jobContext = jobContextOf(gen);
    return context.with(traced ? jobContext : untracedContext(jobContext), () => pollInTrace(gen));
  }

  async function pollInTrace(gen: Generation): Promise<void> {
    try {
      let status: ProviderStatus;
      metrics.callStarted();
      try {
        const apiKey = deps.openCredential(gen);
        status = await provider.status({ apiKey }, gen.provider_job_id, { signal: AbortSignal.timeout(callTimeoutMs) });
      } catch (err) {
        return await failedPoll(gen, err, errorKind(err));
      } finally {
        metrics.callEnded();
      }
      try {
        await settle(gen, status);
      } catch (err) {
        await failedPoll(gen, err, 'settle');
      }
    } catch (err) {
      // The store or the bus is down: the lease expires and another round polls it again.
      logger.error({ job_id: gen.job_id, err }, 'could not record a poll; it is retried when its lease expires');
    }
  }

  let stopping = false;
  async function tick(): Promise<number> {
    const running = new Set<Promise<void>>();
    let claimed = 0;
    await announceStranded();
    try {
      // Claim as many as there are free slots, once half of them are free, so every claimed
      // generation is polled at once and no lease ticks away in a queue.
      while (!stopping && claimed < s.batch) {
        while (running.size > s.concurrency / 2) await Promise.race(running);
        const gens = await store.claimDue(
          owner,
          clock(),
          s.leaseMs,
          Math.min(s.concurrency - running.size, s.batch - claimed),
        );
        if (gens.length === 0) break;
        for (const gen of gens) {
          claimed++;
          const p: Promise<void> = pollOne(gen).finally(() => running.delete(p));
          running.add(p);
        }
      }
    } catch (err) {
      logger.error({ err }, 'could not claim due generations; trying again next tick');
    }
    await Promise.all(running);
    return claimed;
  }

  // A full batch means more is due: the next tick follows at once.
  const ticker = every({
    intervalMs: s.tickMs,
    run: async () => ((await tick()) >= s.batch ? 0 : undefined),
    onError: (err) => logger.error({ err }, 'a poll tick failed; trying again next tick'),
  });

  return {
    tick,
    start: () => ticker.start(),
    async stop() {
      stopping = true;
      await ticker.stop();
    },
    async pokeNow(id) {
      const n = await store.pokeNow(id, clock());
      if (n > 0) ticker.wake();
      return n;
    },
  };
}
