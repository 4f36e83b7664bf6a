import { Counter, Gauge, type Registry } from 'prom-client';
import type { AccountStore } from './store/account-store.js';
import type { DispatchOutcome } from './dispatch/dispatch-job.js';

export function createDispatcherMetrics(registry: Registry, accounts: Pick<AccountStore, 'all'>) {
  const outcomes = new Counter({
    name: 'pixsim_dispatch_total',
    help: 'Dispatch attempts by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const duplicates = new Counter({
    name: 'pixsim_possible_duplicate_submissions_total',
    help: 'Submits replayed after a dispatcher died between the provider call and its record',
    registers: [registry],
  });
  const repairs = new Counter({
    name: 'pixsim_account_inflight_repairs_total',
    help: 'In-flight counters corrected by reconciliation',
    registers: [registry],
  });
  const pastRetention = new Counter({
    name: 'pixsim_replays_past_retention_total',
    help: 'Events older than the retention whose record was purged, acknowledged without effect',
    labelNames: ['event'],
    registers: [registry],
  });
  // One database read per scrape fills both account gauges, whichever is collected first.
  let refreshing: Promise<void> | null = null;
  const refresh = () =>
    (refreshing ??= (async () => {
      try {
        const all = (await accounts.all()).filter((a) => !a.deleted);
        inFlight.reset();
        byStatus.reset();
        for (const a of all) {
          inFlight.set({ account_id: a._id }, a.in_flight);
          byStatus.inc({ status: a.status });
        }
      } catch {
        // a failed scrape keeps the last values
      } finally {
        refreshing = null;
      }
    })());
  const inFlight = new Gauge({
    name: 'pixsim_account_in_flight',
    help: 'Generations holding a slot, per account',
    labelNames: ['account_id'],
    registers: [registry],
    collect: refresh,
  });
  const byStatus = new Gauge({
    name: 'pixsim_accounts',
    help: 'Accounts by status',
    labelNames: ['status'],
    registers: [registry],
    collect: refresh,
  });
  return {
    outcome: (o: DispatchOutcome) => outcomes.inc({ outcome: o }),
    possibleDuplicate: () => duplicates.inc(),
    repaired: () => repairs.inc(),
    replayPastRetention: () => pastRetention.inc({ event: 'JOB_CREATED' }),
  };
}
