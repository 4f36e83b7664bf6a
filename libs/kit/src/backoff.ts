export interface BackoffOptions {
  /** First delay, before jitter. */
  initialMs?: number;
  /** Cap on any single delay. */
  maxMs?: number;
  factor?: number;
}

/*
 * The services' one backoff and sleep: connection retries, the poller's error backoff and the
 * dispatcher's submit retries all use these. libs/bus keeps a copy of its own (bus/src/backoff.ts,
 * same equal-jitter formula, attempt counted from 0, sleep resolving false on abort) because kit
 * depends on the bus and not the other way round. One module for both would have to live in a
 * package below both, such as contracts.
 */

/**
 * Exponential backoff with "equal jitter": half the window is fixed, half random.
 * Pure full jitter can pick ~0 ms repeatedly, which hammers a dependency that is
 * just coming back; equal jitter still spreads replicas apart.
 * `attempt` starts at 1.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random = Math.random): number {
  const { initialMs = 250, maxMs = 10_000, factor = 2 } = opts;
  const window = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/** Sleeps `ms`, rejecting early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const err = new Error(r === undefined ? 'aborted' : `aborted: ${String(r)}`);
  err.name = 'AbortError';
  return err;
}
