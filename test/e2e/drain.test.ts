import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '@pixsim/testkit';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

/** The simulator holds every submit this long before answering: longer than the old fixed 25 s drain. */
const HELD_MS = 27_000;

describe('rollouts and scale-downs lose nothing', () => {
  const system = useTestSystem({
    // A provider deadline above the held call, so the call is slow, not failed; the dispatcher's
    // drain follows from it (connect + PROVIDER_TIMEOUT_MS + margin = 55 s).
    serviceEnv: { dispatcher: { PROVIDER_TIMEOUT_MS: '40000' } },
  });

  it('when the dispatcher gets SIGTERM while a provider submit is held open, then the call finishes, is recorded and acked, and the job completes with one submission', async () => {
    const sys = system();
    await sys.setFaults({ slowMs: HELD_MS, slowRate: 1, endpoints: ['text_generate'] });
    const id = await submitJob(sys, 'a lighthouse at dusk, held across a SIGTERM');

    // The submit is on the wire once the simulator has counted the call.
    await waitFor(async () => ((await sys.simStats()).calls.text_generate ?? 0) >= 1, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the dispatcher to call the provider',
    });
    const signalled = Date.now();
    await sys.kill('dispatcher', 'SIGTERM', { restart: false });
    const stoppedAfter = Date.now() - signalled;

    const dispatcherLines = sys.logs().filter((l) => l.includes('dispatcher'));
    expect(stoppedAfter, 'the dispatcher waited for the call in flight').toBeGreaterThan(HELD_MS - 10_000);
    expect(dispatcherLines.some((l) => l.includes('shutdown complete'))).toBe(true);
    expect(dispatcherLines.some((l) => l.includes('did not finish within'))).toBe(false);

    // The answer was recorded before the exit: the job moves on with the dispatcher gone, and
    // nothing is submitted again when it comes back.
    await sys.setFaults({ slowMs: 0 });
    const [job] = await sys.waitForAll([id], ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
    expect(job?.status).toBe('COMPLETED');
    await sys.start('dispatcher');
    await sleep(2_000);
    const stats = await sys.simStats();
    expect(stats.total_submissions).toBe(1);
    expect(stats.duplicates).toBe(0);
  });
});
