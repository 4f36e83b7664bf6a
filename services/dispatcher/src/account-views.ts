import type { LogPort } from '@pixsim/contracts';
import { eventIds, type EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { every, type Timer } from '@pixsim/kit';
import type { AccountDoc, AccountStore } from './store/account-store.js';

function toAccountView(a: AccountDoc): EventData<'ACCOUNT_UPDATED'> {
  return {
    account_id: a._id,
    provider_id: a.provider_id,
    email: a.email,
    nickname: a.nickname,
    status: a.status,
    credits: a.credits,
    cooldown_until: a.cooldown_until?.toISOString() ?? null,
    max_concurrent_jobs: a.max_concurrent_jobs,
    in_flight: a.in_flight,
    priority: a.priority,
    total_submitted: a.total_submitted,
    total_failed: a.total_failed,
    last_used: a.last_used?.toISOString() ?? null,
    created_at: a.created_at.toISOString(),
    deleted: a.deleted,
    revision: a.revision,
  };
}

/**
 * Publishes ACCOUNT_UPDATED for changed accounts, coalesced: an account that
 * changes a hundred times in half a second is announced once, at its latest
 * revision (the gateway keeps the highest revision it has seen).
 */
export function createAccountViews(ports: {
  accounts: Pick<AccountStore, 'get'>;
  publish(i: PublishInput): Promise<unknown>;
  flushMs: number;
  logger: Pick<LogPort, 'warn'>;
  timer?: Timer;
}) {
  const dirty = new Set<string>();

  const flush = async () => {
    const ids = [...dirty];
    dirty.clear();
    for (const id of ids) {
      try {
        const account = await ports.accounts.get(id);
        if (!account) continue;
        await ports.publish({
          type: 'ACCOUNT_UPDATED',
          id: eventIds.accountUpdated(id, account.revision),
          data: toAccountView(account),
        });
      } catch (err) {
        dirty.add(id);
        ports.logger.warn({ err, account_id: id }, 'could not publish the account view; will retry');
      }
    }
  };

  // flush reports its own failures (per account) and keeps the account for the next round.
  const rounds = every({ intervalMs: ports.flushMs, run: flush, onError: () => {}, timer: ports.timer });

  return {
    touch(id: string) {
      dirty.add(id);
    },
    start: () => rounds.start(),
    async stop() {
      await rounds.stop();
      await flush();
    },
  };
}
