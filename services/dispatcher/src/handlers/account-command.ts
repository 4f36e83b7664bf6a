import type { LogPort } from '@pixsim/contracts';
import type { EventData } from '@pixsim/contracts';
import type { AccountDoc, AccountStore } from '../store/account-store.js';

/**
 * Admin commands about accounts. A new account's credits are read from the
 * provider's balance when it answers; otherwise they stay 0 until an admin
 * adds some (and the account is not used until then).
 */
export function createAccountCommandHandler(ports: {
  accounts: Pick<AccountStore, 'apply' | 'setCredits'>;
  balance(account: AccountDoc): Promise<number>;
  onChanged(accountId: string): void;
  logger: Pick<LogPort, 'warn'>;
  clock: () => Date;
}) {
  return async ({ id, data }: { id: string; data: EventData<'ACCOUNT_COMMAND'> }) => {
    const account = await ports.accounts.apply(data, ports.clock(), id);
    if (!account) return; // unknown or deleted account: nothing to do
    if (data.action === 'create' && account.revision === 1) {
      try {
        await ports.accounts.setCredits(account._id, await ports.balance(account));
      } catch (err) {
        ports.logger.warn(
          { err, account_id: account._id },
          'could not read the account balance; add credits with POST /api/v1/accounts/{id}/credits',
        );
      }
    }
    ports.onChanged(account._id);
  };
}
