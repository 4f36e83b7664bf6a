import { context } from '@opentelemetry/api';
import { untracedContext } from '@pixsim/kit';
import type { GenerationStatus as ProviderStatus } from '@pixsim/providers';
import type { Generation } from './generation.js';
import { HeldSet, IN_FLIGHT, leaseBounds, type Held } from './held-set.js';
import { noPollMetrics } from './poll-metrics.js';
import { errorKind } from './poll-errors.js';
import type { PollLoop, PollLoopDeps } from './poll-loop-port.js';
import { createPollOutcomes, type Next, type PollTimes } from './poll-outcome.js';
import { createClaimPace } from './claim-pace.js';

/** The loop's one timer is never armed closer than this: polls due within it go out together. */
const MIN_WAKE_MS = 2;

/**
 * The poll loop. A claim leases a batch of due generations to this replica for LEASE_MS;
 * the replica then keeps them in memory and polls each whenever it is due, as long as the
 * lease still covers a whole call, without writing anything: a poll that changes nothing
 * costs no MongoDB round trip. The claim moved each one's stored next poll to the lease's
 * end, so a generation whose next poll falls there (within a tenth of an interval) is just
 * let go, and the next claim after the lease ends (this replica's or another's) takes it
 * up again; one whose next poll falls elsewhere, or whose failure count changed, is handed
 * back with one conditional update. A replica that dies holding generations leaves their
 * leases to run out, after which any replica claims them. A generation this replica records
 * (JOB_SUBMITTED) is recorded leased to it and held at once (leaseNew, takeUp), exactly as
 * if claimed: its first poll waits for no claim.
 */
export function createPollLoop(deps: PollLoopDeps): PollLoop {
  const { store, provider, publish, clock, owner, settings: s, logger } = deps;
  const metrics = deps.metrics ?? noPollMetrics;
  const { maxCallMs, leaseMarginMs, lastStart, alignMs } = leaseBounds(s.leaseMs, s.pollIntervalMs);
  const ageOf = (gen: Generation, now: Date) => now.getTime() - gen.submitted_at.getTime();
  const { settle, failedPoll, isEnding, announceStranded } = createPollOutcomes({
    store,
    publish,
    clock,
    settings: s,
    metrics,
    logger,
    random: deps.random,
  });

  const held = new HeldSet();
  const inFlight = new Set<Promise<void>>();
  /** Leases given to generations being recorded: room in the held set they will take. */
  let reserved = 0;

  /** Its leases, held in memory from now on, due when the store said. */
  async function claim(now: Date): Promise<number> {
    const room = Math.min(s.batch, (s.maxHeld ?? Number.POSITIVE_INFINITY) - held.size - reserved);
    if (room <= 0) return 0;
    const gens = await store.claimDue(owner, now, s.leaseMs, room);
    for (const gen of gens) held.take(gen, gen.next_poll_at?.getTime() ?? now.getTime());
    return gens.length;
  }

  /**
   * After a poll that did not end the generation: kept in memory when the lease covers the
   * next poll, else let go (nothing to write when the stored state already says it all) or
   * handed back with its next poll.
   */
  async function after(h: Held, next: { at: number; failures: number }): Promise<void> {
    h.gen.failures = next.failures;
    const at = h.poked ? clock().getTime() : next.at;
    h.poked = false;
    if (!stopping && at <= lastStart(h.leaseUntil)) return held.hold(h, at);
    held.forget(h);
    // The store already has it due at the lease's end.
    if (next.failures === h.storedFailures && Math.abs(at - h.leaseUntil) <= alignMs) return claims.dueAt(h.leaseUntil);
    claims.dueAt(at);
    await store.reschedule(h.gen, owner, { next_poll_at: new Date(at), failures: next.failures });
  }

  /** A held generation this replica cannot poll in time (the lease ran short, or it stops): back to the store, due as it was. */
  async function handBack(h: Held, due: number): Promise<void> {
    held.forget(h);
    claims.dueAt(due);
    await store.reschedule(h.gen, owner, { next_poll_at: new Date(due), failures: h.gen.failures });
  }

  /**
   * Each poll runs in the job's trace (see Submission.trace), but a generation polled for
   * an hour must not make a trace of a thousand spans: only its first polls and those
   * after a failure make spans; the others run untraced. Whatever ends the generation
   * (JOB_COMPLETED, JOB_FAILED) is always published in the job's trace.
   */
  function pollOne(h: Held, due: number, now: Date): Promise<void> {
    const traced = h.gen.failures > 0 || ageOf(h.gen, now) < 2 * s.pollIntervalMs;
    const budget = Math.min(maxCallMs, h.leaseUntil - leaseMarginMs - now.getTime());
    // The client's own deadline, when the lease allows it; else the sooner one the lease sets.
    const deadlineAt =
      s.providerDeadlineMs !== undefined && budget >= s.providerDeadlineMs ? undefined : now.getTime() + budget;
    const times = { due, started: now.getTime() };
    return context.with(traced ? h.jobContext : untracedContext(h.jobContext), () => pollInTrace(h, deadlineAt, times));
  }

  async function pollInTrace(h: Held, deadlineAt: number | undefined, times: PollTimes): Promise<void> {
    const { gen } = h;
    try {
      let status: ProviderStatus | undefined;
      let callError: unknown;
      metrics.callStarted();
      try {
        const apiKey = deps.openCredential(gen);
        status = await provider.status({ apiKey }, gen.provider_job_id, deadlineAt === undefined ? {} : { deadlineAt });
      } catch (err) {
        callError = err ?? new Error('the status call failed');
      } finally {
        metrics.callEnded();
      }
      let next: Next;
      if (!status) next = await failedPoll(gen, callError, errorKind(callError));
      else {
        try {
          next = await settle(gen, status, times);
        } catch (err) {
          next = await failedPoll(gen, err, 'settle');
        }
      }
      if (isEnding(gen)) next = 'ended';
      if (next === 'ended') held.forget(h);
      else await after(h, next);
    } catch (err) {
      // The store or the bus is down: let it go; its lease runs out and a claim polls it again.
      held.forget(h);
      logger.error({ job_id: gen.job_id, err }, 'could not record a poll; it is retried when its lease expires');
    }
  }

  /** Starts the polls due now, as many as there are free slots; how many it started. */
  function startDue(): number {
    let started = 0;
    const now = clock();
    while (inFlight.size < s.concurrency) {
      const h = held.takeDue(now.getTime());
      if (!h) break;
      const due = h.due;
      h.due = IN_FLIGHT;
      if (stopping || now.getTime() > lastStart(h.leaseUntil)) {
        // Held past the point where the lease covers a call (this replica fell behind): due
        // as it was, for whichever replica claims it first.
        const p: Promise<void> = handBack(h, due)
          .catch((err: unknown) => logger.error({ job_id: h.gen.job_id, err }, 'could not hand a generation back'))
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        continue;
      }
      const p: Promise<void> = pollOne(h, due, now).finally(() => {
        inFlight.delete(p);
        pump();
      });
      inFlight.add(p);
      started++;
    }
    return started;
  }

  let started = false;
  let stopping = false;
  let claiming: Promise<void> | null = null;
  const claims = createClaimPace(s.tickMs, s.idleTickMs);
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;

  /** Claims when nothing held is waiting for a slot: a replica that falls behind leaves the rest to others. */
  function claimIfIdle(now: number): void {
    if (claiming || now < claims.nextAt) return;
    const top = held.peek();
    if (top && top.due <= now) return;
    claims.started(now);
    claiming = (async () => {
      try {
        await announceStranded();
        const n = await claim(clock());
        // A full batch: more is due, claim again as soon as there is room.
        claims.ended(n, n >= s.batch, clock().getTime());
      } catch (err) {
        logger.error({ err }, 'could not claim due generations; trying again shortly');
        claims.failed(clock().getTime());
      } finally {
        claiming = null;
        pump();
      }
    })();
  }

  /** Does what is due and arms the one timer for what is due next (a poll, or a claim). */
  function pump(): void {
    if (!started || stopping) return;
    startDue();
    const now = clock().getTime();
    claimIfIdle(now);
    let wake = Number.POSITIVE_INFINITY;
    const top = held.peek();
    if (top && inFlight.size < s.concurrency) wake = top.due;
    if (!claiming) wake = Math.min(wake, claims.nextAt);
    if (wake === Number.POSITIVE_INFINITY || (timer && timerAt <= wake)) return;
    if (timer) clearTimeout(timer);
    timerAt = wake;
    timer = setTimeout(
      () => {
        timer = null;
        timerAt = Number.POSITIVE_INFINITY;
        pump();
      },
      Math.max(MIN_WAKE_MS, wake - now),
    );
  }

  return {
    async tick() {
      await announceStranded();
      try {
        await claim(clock());
      } catch (err) {
        logger.error({ err }, 'could not claim due generations; trying again shortly');
      }
      let polls = 0;
      for (;;) {
        polls += startDue();
        if (inFlight.size === 0) return polls;
        await Promise.race(inFlight);
      }
    },
    start() {
      started = true;
      pump();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await claiming;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      // Handed back due when they were due, so another replica takes them up at once.
      const left = held.all();
      await Promise.all(
        left.map((h) =>
          handBack(h, h.due === IN_FLIGHT ? clock().getTime() : h.due).catch((err: unknown) =>
            logger.error({ job_id: h.gen.job_id, err }, 'could not hand a generation back; its lease runs out'),
          ),
        ),
      );
    },
    async pokeNow(id) {
      const n = await store.pokeNow(id, clock());
      const h = held.find(id);
      if (h?.held) {
        if (h.due === IN_FLIGHT) h.poked = true;
        else held.hold(h, clock().getTime());
      }
      // Held by another replica, it waits for that one's next poll; else the store has it due now.
      claims.now();
      pump();
      return n;
    },
    held: () => held.size,
    leaseNew(firstPollAt) {
      if (stopping || held.size + reserved >= (s.maxHeld ?? Number.POSITIVE_INFINITY)) return null;
      const until = clock().getTime() + s.leaseMs;
      if (firstPollAt.getTime() > lastStart(until)) return null;
      reserved++;
      return { owner, until: new Date(until) };
    },
    takeUp(lease, gen, firstPollAt) {
      reserved--;
      // Recorded by this very lease: a redelivery finds the generation recorded before, with its own lease or none.
      const mine =
        gen?.status === 'polling' && gen.lease_owner === owner && gen.lease_until?.getTime() === lease.until.getTime();
      if (!mine) return;
      if (stopping) {
        // Too late to poll it here: handed back due, for whichever replica claims it first.
        store
          .reschedule(gen, owner, { next_poll_at: firstPollAt, failures: gen.failures })
          .catch((err: unknown) =>
            logger.error({ job_id: gen.job_id, err }, 'could not hand a generation back; its lease runs out'),
          );
        return;
      }
      held.take({ ...gen, next_poll_at: firstPollAt }, firstPollAt.getTime());
      pump();
    },
  };
}
