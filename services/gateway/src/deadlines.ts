/** Work started with a deadline, and what to do with the ones that pass it. */
export interface Deadlines<K> {
  /** Starts `key`'s clock; `onOverdue(key)` runs once it is past due, unless `settle(key)` came first. */
  start(key: K): void;
  settle(key: K): void;
}

/**
 * One sweep for many deadlines of the same length, instead of a timer each (at thousands a
 * second, timers were a measurable share of the gateway's CPU and garbage). Keys are kept in
 * the order they started, so every deadline falls in that order and a sweep stops at the
 * first one not yet due. The sweep runs only while some key is waiting, so nothing is left to
 * stop at shutdown. A deadline is kept to within a tenth of `ms` (at most a second) late.
 */
export function createDeadlines<K>(ms: number, onOverdue: (key: K) => void): Deadlines<K> {
  const due = new Map<K, number>();
  const tickMs = Math.min(1_000, Math.max(5, Math.floor(ms / 10)));
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [key, at] of due) {
      if (at > now) break;
      due.delete(key);
      onOverdue(key);
    }
    if (due.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  return {
    start(key) {
      due.set(key, Date.now() + ms);
      if (!sweeper) {
        sweeper = setInterval(sweep, tickMs);
        sweeper.unref();
      }
    },
    settle: (key) => void due.delete(key),
  };
}
