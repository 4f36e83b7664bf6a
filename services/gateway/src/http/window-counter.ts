import type { Cluster, Redis } from 'ioredis';

/** A request counted against a key's window. */
export interface WindowVerdict {
  allowed: boolean;
  /** Whole seconds until the window ends, at least 1: the Retry-After of a refusal. */
  retryAfterS: number;
}

export interface WindowCounterOptions {
  redis: Redis | Cluster;
  /** Prepended to each key, e.g. `<prefix>:svc:gateway:rl:`. */
  prefix: string;
  windowMs: number;
  /**
   * The most one claim may take of a key's window, as a share of its limit (default 1/100).
   * 0 claims one request at a time: every request asks Redis, as a login limit must.
   */
  blockShare?: number;
  clock?: () => number;
}

export interface WindowCounter {
  /**
   * Counts one request against `key`'s window of `max`. The verdict comes at once when this
   * replica already holds a claimed position (or knows the window is full), and as a promise
   * when Redis must be asked; that promise rejects when Redis cannot be reached.
   */
  take(key: string, max: number): WindowVerdict | Promise<WindowVerdict>;
  close(): void;
}

/** What this replica holds of one key's current window. */
interface KeyWindow {
  /** Local clock time the window ends. */
  endsAt: number;
  /** The next claimed position to hand out, and the last one claimed. */
  next: number;
  last: number;
  /** The size of the next claim: it doubles with each claim, up to the block cap. */
  block: number;
  /** Set once a position past `max` was seen: positions only grow, so the window is full. */
  full: boolean;
  claiming: Promise<void> | null;
}

/**
 * Fixed windows counted in Redis, shared by the replicas, with the count claimed in blocks:
 * a replica takes the next positions of a key's window with one INCRBY and hands them out
 * itself, so a busy key costs one round trip per block instead of one per request. The
 * first claim of a window takes one position and each later one twice the last, up to
 * `blockShare` of the limit, so a key seen once costs what it did and a busy one soon
 * stops asking.
 *
 * Positions are global, so the limit is never exceeded across replicas. What a replica
 * claimed and did not use when the window ends is lost: a limit may refuse up to one
 * block per replica early (1% of the limit by default). Once a position past the limit
 * is seen, the rest of the window is refused without asking Redis.
 */
export function createWindowCounter(o: WindowCounterOptions): WindowCounter {
  const clock = o.clock ?? Date.now;
  const share = o.blockShare ?? 0.01;
  const windows = new Map<string, KeyWindow>();
  // Windows that ended leave the map on a sweep; until then a new claim replaces them.
  const sweeper = setInterval(() => {
    const now = clock();
    for (const [key, w] of windows) if (w.endsAt <= now && !w.claiming) windows.delete(key);
  }, o.windowMs);
  sweeper.unref();

  const secondsLeft = (w: KeyWindow, now: number) => Math.max(1, Math.ceil((w.endsAt - now) / 1000));
  const verdictOf = (w: KeyWindow, position: number, max: number, now: number): WindowVerdict => {
    if (position > max) w.full = true;
    return { allowed: position <= max, retryAfterS: secondsLeft(w, now) };
  };

  const claim = async (key: string, max: number, previous: KeyWindow | undefined): Promise<void> => {
    const size = previous ? previous.block : 1;
    const fullKey = o.prefix + key;
    // The window starts with its expiry (SET NX PX), then the claim is counted in it.
    const replies = await o.redis
      .multi()
      .set(fullKey, 0, 'PX', o.windowMs, 'NX')
      .incrby(fullKey, size)
      .pttl(fullKey)
      .exec();
    const last = Number(replies?.[1]?.[1]);
    const ttlMs = Number(replies?.[2]?.[1]);
    if (replies?.[1]?.[0] || !Number.isFinite(last)) throw replies?.[1]?.[0] ?? new Error(`no count for ${fullKey}`);
    const cap = Math.max(1, Math.floor(max * share));
    windows.set(key, {
      // A key without an expiry (-1) should not exist; treat its window as a fresh one.
      endsAt: clock() + (ttlMs > 0 ? ttlMs : o.windowMs),
      next: last - size + 1,
      last,
      block: Math.min(cap, size * 2),
      full: last - size + 1 > max,
      claiming: null,
    });
  };

  const take = (key: string, max: number): WindowVerdict | Promise<WindowVerdict> => {
    const now = clock();
    let w = windows.get(key);
    if (w && w.endsAt <= now && !w.claiming) w = undefined;
    if (w && !w.claiming) {
      if (w.next <= w.last) return verdictOf(w, w.next++, max, now);
      if (w.full) return { allowed: false, retryAfterS: secondsLeft(w, now) };
    }
    return claimThenTake(key, max, w);
  };

  const claimThenTake = async (key: string, max: number, w: KeyWindow | undefined): Promise<WindowVerdict> => {
    if (w?.claiming) {
      // One claim per key at a time: the others wait for it and then take from it.
      await w.claiming;
      return take(key, max);
    }
    const claiming = claim(key, max, w);
    if (w) w.claiming = claiming;
    else
      windows.set(key, {
        endsAt: Number.POSITIVE_INFINITY,
        next: 1,
        last: 0,
        block: 1,
        full: false,
        claiming,
      });
    try {
      await claiming;
    } catch (err) {
      // Nothing was claimed: forget the key, so the next request asks again.
      if (windows.get(key)?.claiming === claiming) windows.delete(key);
      throw err;
    }
    return take(key, max);
  };

  return { take, close: () => clearInterval(sweeper) };
}
