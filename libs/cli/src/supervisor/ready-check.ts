import { setTimeout as sleep } from 'node:timers/promises';

/** How the supervisor knows a child is ready: its /ready answers 200, or it printed a line. */
export type ReadyCheck = { url: string } | { line: RegExp };

const POLL_MS = 200;

/** True once `url` answers 2xx with `{"status":"ready"}`; false as soon as `live()` says the attempt is moot (the child died). */
export async function waitUntilReady(url: string, live: () => boolean, pollMs = POLL_MS): Promise<boolean> {
  while (live()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      // The services answer {"status":"ready",…}; anything else on the port is not the child.
      const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
      if (res.ok && body?.status === 'ready') return live();
    } catch {
      // Not listening yet, or not answering: both mean "not ready".
    }
    await sleep(pollMs);
  }
  return false;
}
