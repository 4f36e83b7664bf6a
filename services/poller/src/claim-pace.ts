import { backoffDelay } from '@pixsim/kit';

/**
 * When the poll loop next asks the store for due generations. After a claim that found a
 * full batch, at once; after one that found some, one tick later; after claims that found
 * nothing, a wait that doubles with each up to the idle tick (claimWait). A generation the
 * replica let go or handed back is claimed when it falls due in the store however long the
 * wait, so the wait delays only other replicas' generations (a lease that ran out, one
 * handed back elsewhere).
 */
export interface ClaimPace {
  /** When the next claim may start (ms since the epoch; 0: now). */
  readonly nextAt: number;
  /** A claim starts at `now`: what was let go and due by then is its to find. */
  started(now: number): void;
  /** The claim found `found` generations, a full batch when `full`. */
  ended(found: number, full: boolean, now: number): void;
  /** The claim failed: try again one tick later. */
  failed(now: number): void;
  /** A generation this replica let go is due in the store at `at`. */
  dueAt(at: number): void;
  /** One was made due now (a poke): claim at once, and at the tick from then on. */
  now(): void;
}

export function createClaimPace(tickMs: number, idleTickMs: number = tickMs): ClaimPace {
  let nextAt = 0;
  /** Claims in a row that found nothing. */
  let empty = 0;
  /** When the soonest generation this replica let go falls due, until a claim covers it. */
  let letGoDue = Number.POSITIVE_INFINITY;
  return {
    get nextAt() {
      return nextAt;
    },
    started(now) {
      if (letGoDue <= now) letGoDue = Number.POSITIVE_INFINITY;
    },
    ended(found, full, now) {
      empty = found === 0 ? empty + 1 : 0;
      nextAt = full ? 0 : Math.min(now + claimWait(empty - 1, tickMs, idleTickMs), letGoDue);
    },
    failed(now) {
      nextAt = now + tickMs;
    },
    dueAt(at) {
      if (at < letGoDue) letGoDue = at;
      if (at < nextAt) nextAt = at;
    },
    now() {
      empty = 0;
      nextAt = 0;
    },
  };
}

/**
 * The wait before the next claim after `empty` claims in a row found nothing: tickMs, doubled
 * with each empty claim, at most idleTickMs. An idle replica then asks the store once every
 * idleTickMs instead of every tickMs; each claim is a query, and its objects outlive enough
 * young collections to fill the old generation of a replica that does nothing else.
 */
export function claimWait(empty: number, tickMs: number, idleTickMs: number = tickMs): number {
  // The services' one backoff, without its jitter (the window's full length): a replica's
  // claims need not be spread from other replicas', and the wait is then predictable.
  return backoffDelay(empty + 1, { initialMs: tickMs, maxMs: Math.max(tickMs, idleTickMs) }, () => 1);
}
