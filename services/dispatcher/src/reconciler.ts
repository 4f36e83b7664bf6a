import type { AccountStore } from './store/account-store.js';
import type { SubmissionStore } from './store/submission-store.js';

/**
 * Repairs account in-flight counters that drifted (a dispatcher died between
 * two writes). A counter is corrected only when the same mismatch is seen on
 * two passes in a row, so a reservation in progress is never "repaired".
 */
export function createReconciler(ports: {
  accounts: Pick<AccountStore, 'all' | 'correctInFlight'>;
  submissions: Pick<SubmissionStore, 'holdsByAccount'>;
  onRepaired(accountId: string, from: number, to: number): void;
}) {
  let lastSeen = new Map<string, string>();
  return async function reconcile(): Promise<number> {
    const [accounts, holds] = await Promise.all([ports.accounts.all(), ports.submissions.holdsByAccount()]);
    const seen = new Map<string, string>();
    let repaired = 0;
    for (const account of accounts) {
      const expected = holds.get(account._id) ?? 0;
      if (account.in_flight === expected) continue;
      const key = `${account.in_flight}->${expected}`;
      seen.set(account._id, key);
      if (
        lastSeen.get(account._id) === key &&
        (await ports.accounts.correctInFlight(account._id, account.in_flight, expected))
      ) {
        ports.onRepaired(account._id, account.in_flight, expected);
        seen.delete(account._id);
        repaired++;
      }
    }
    lastSeen = seen;
    return repaired;
  };
}
