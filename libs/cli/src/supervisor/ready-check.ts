import { setTimeout as sleep } from 'node:timers/promises';

/** How the supervisor knows a child is ready: its /ready answers 200, or it printed a line. */
export type ReadyCheck = { url: string } | { line: RegExp };

const POLL_MS = 200;

/**
 * True once `url` answers 2xx with `{"status":"ready"}` (and, when `pid` is given, the
 * pid the answer names is that one); false as soon as `live()` says the attempt is moot
 * (the child died).
 */
export async function waitUntilReady(
  url: string,
  live: () => boolean,
  pollMs = POLL_MS,
  pid?: number,
): Promise<boolean> {
  while (live()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      // The services answer {"status":"ready","pid":…}; anything else on the port is not the
      // child, and neither is another pixsim's service that holds the port.
      const body = (await res.json().catch(() => null)) as { status?: unknown; pid?: unknown } | null;
      const ours = pid === undefined || typeof body?.pid !== 'number' || body.pid === pid;
      if (res.ok && body?.status === 'ready' && ours) return live();
    } catch {
      // Not listening yet, or not answering: both mean "not ready".
    }
    await sleep(pollMs);
  }
  return false;
}
