import { propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import type { Generation } from './generation.js';
import { DueQueue } from './due-queue.js';

/** Marks a held generation whose poll is out (never a real time). */
export const IN_FLIGHT = -1;

/** A generation this replica holds: leased to it, polled from memory while the lease covers a call. */
export interface Held {
  gen: Generation;
  leaseUntil: number;
  /** When the next poll is due (IN_FLIGHT while one is out). */
  due: number;
  held: boolean;
  /** The failure count as stored: while the memory agrees, handing it back writes nothing. */
  storedFailures: number;
  /** The job's trace context, extracted once. */
  jobContext: Context;
  /** Poked while its poll was out: the next poll is due at once. */
  poked: boolean;
}

/** The job's trace context as the generation carries it (see Submission.trace). */
export const jobContextOf = (gen: Generation): Context => propagation.extract(ROOT_CONTEXT, gen.trace ?? {});

/**
 * How a lease bounds the polls made under it. A call must end inside its lease, or a
 * second replica could poll the same generation; it ends a margin before the lease does,
 * for replicas whose clocks differ.
 */
export function leaseBounds(leaseMs: number, pollIntervalMs: number) {
  const leaseMarginMs = Math.floor(leaseMs / 6);
  const minCallMs = Math.max(1, Math.floor(leaseMs / 6));
  return {
    /** The longest a call may take, on a fresh lease. */
    maxCallMs: Math.max(1, Math.floor(leaseMs / 2)),
    leaseMarginMs,
    /** The latest a poll under a lease ending at `leaseUntil` may start. */
    lastStart: (leaseUntil: number) => leaseUntil - leaseMarginMs - minCallMs,
    /** How far a next poll may lie from the lease's end and still be left to the next claim. */
    alignMs: Math.max(1, Math.floor(pollIntervalMs / 10)),
  };
}

/**
 * The generations a replica holds: found by job id or provider job id, and queued by when
 * each is due next.
 */
export class HeldSet {
  readonly #queue = new DueQueue<Held>();
  readonly #byJob = new Map<string, Held>();
  readonly #byProviderJob = new Map<string, Held>();

  get size(): number {
    return this.#byJob.size;
  }

  /** A generation leased to this replica, held from now on and due at `due` (replacing an older hold of its job). */
  take(gen: Generation, due: number): Held {
    const before = this.#byJob.get(gen.job_id);
    if (before) this.forget(before);
    const h: Held = {
      gen,
      leaseUntil: gen.lease_until!.getTime(),
      due: 0,
      held: true,
      storedFailures: gen.failures,
      jobContext: jobContextOf(gen),
      poked: false,
    };
    this.#byJob.set(gen.job_id, h);
    this.#byProviderJob.set(gen.provider_job_id, h);
    this.hold(h, due);
    return h;
  }

  /** Queues a held generation's next poll. */
  hold(h: Held, due: number): void {
    h.due = due;
    this.#queue.push(h);
  }

  /** No longer this replica's: its queued poll is dropped when it surfaces. */
  forget(h: Held): void {
    h.held = false;
    if (this.#byJob.get(h.gen.job_id) === h) this.#byJob.delete(h.gen.job_id);
    if (this.#byProviderJob.get(h.gen.provider_job_id) === h) this.#byProviderJob.delete(h.gen.provider_job_id);
  }

  /** By job id or provider job id. */
  find(id: string): Held | undefined {
    return this.#byJob.get(id) ?? this.#byProviderJob.get(id);
  }

  /** The earliest due, left in place. */
  peek(): Held | undefined {
    return this.#queue.peek();
  }

  /** Takes the earliest if it is due at `now`. */
  takeDue(now: number): Held | undefined {
    return this.#queue.takeDue(now);
  }

  all(): Held[] {
    return [...this.#byJob.values()];
  }
}
