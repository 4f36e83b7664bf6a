import { setTimeout as sleep } from 'node:timers/promises';
import { decide, type RetryPolicy } from './callback-policy.js';
import type { CallbackSender } from './callback-sender.js';
import type { CallbackDoc, CallbackStore } from '../store/callback-store.js';

export interface CallbackWorkerOptions {
  store: Pick<CallbackStore, 'claim' | 'settle'>;
  send: CallbackSender;
  policy: RetryPolicy;
  /** This replica's name in leases. */
  owner: string;
  /** Callbacks in flight at once. */
  concurrency: number;
  /**
   * Lanes one user's callbacks may hold at once on this replica (default: half the
   * lanes, at least one), so a tenant whose receiver hangs cannot hold every lane.
   */
  perUser?: number;
  /** How long a claim is this replica's; longer than a POST can take. */
  leaseMs: number;
  /** Pause between looks when nothing is due. */
  idleMs: number;
  clock: () => Date;
  onOutcome?(kind: 'delivered' | 'retry' | 'failed'): void;
  logger: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/**
 * Delivers due callbacks, `concurrency` at a time, on every gateway replica. Each
 * lane claims one, POSTs it, records the outcome and claims the next; when nothing
 * is due it waits `idleMs`. stop() lets the POSTs in flight finish.
 */
export function createCallbackWorker(o: CallbackWorkerOptions) {
  const abort = new AbortController();
  let lanes: Promise<void>[] = [];
  const perUser = o.perUser ?? Math.max(1, Math.floor(o.concurrency / 2));
  const busy = new Map<string, number>();
  // Claims are made one at a time on a replica, so the per-user count is exact when the next claim looks.
  let claiming: Promise<unknown> = Promise.resolve();
  const claimNext = (): Promise<CallbackDoc | null> => {
    const next = claiming.then(async () => {
      const full = [...busy].filter(([, n]) => n >= perUser).map(([user]) => user);
      const doc = await o.store.claim(o.owner, o.clock(), o.leaseMs, full);
      if (doc?.user_id) busy.set(doc.user_id, (busy.get(doc.user_id) ?? 0) + 1);
      return doc;
    });
    claiming = next.catch(() => {});
    return next;
  };
  const done = (doc: CallbackDoc) => {
    if (!doc.user_id) return;
    const left = (busy.get(doc.user_id) ?? 1) - 1;
    if (left > 0) busy.set(doc.user_id, left);
    else busy.delete(doc.user_id);
  };

  async function lane(): Promise<void> {
    while (!abort.signal.aborted) {
      let claimed: CallbackDoc | null = null;
      let failed = false;
      try {
        claimed = await claimNext();
        if (claimed) {
          const attempt = claimed.attempts + 1;
          const outcome = decide(await o.send(claimed, attempt), attempt, o.policy, o.clock());
          await o.store.settle(claimed._id, o.owner, outcome, o.clock());
          o.onOutcome?.(outcome.kind);
          const log = {
            job_id: claimed._id,
            event: claimed.event,
            attempt,
            outcome: outcome.kind,
            status: outcome.status,
          };
          if (outcome.kind === 'delivered') o.logger.info(log, 'callback delivered');
          else
            o.logger.warn(
              { ...log, error: outcome.error, ...(outcome.kind === 'retry' ? { next_at: outcome.at } : {}) },
              outcome.kind === 'retry' ? 'callback not taken; will retry' : 'callback given up',
            );
        }
      } catch (err) {
        // MongoDB away: the lease (if any) expires and the callback is claimed again later.
        o.logger.warn({ err }, 'callback worker could not claim or settle; retrying in 5 s');
        failed = true;
      } finally {
        if (claimed) done(claimed);
      }
      // Nothing due: look again soon. A failure: wait longer, so an outage is not a flood of warnings.
      if (!claimed || failed)
        await sleep(failed ? Math.max(o.idleMs, 5_000) : o.idleMs, undefined, { signal: abort.signal }).catch(() => {});
    }
  }

  return {
    start(): void {
      lanes = Array.from({ length: o.concurrency }, () => lane());
    },
    async stop(): Promise<void> {
      abort.abort();
      await Promise.all(lanes);
    },
  };
}
