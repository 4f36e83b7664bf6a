import { eventIds, type EventData, type LogPort } from '@pixsim/contracts';
import { sealCredential, type SealingKey } from '@pixsim/credentials';
import type { ProviderCatalog } from '@pixsim/providers/rules';
import { NotFoundError, ValidationFailedError } from '../http/errors.js';
import type { AccountRecord } from '../read-model/account-record.js';
import type { AccountStore } from '../store/ports.js';
import type { Clock, NewId, Publish } from '../ports.js';
import { ACCOUNT_DEFAULTS, type CreateAccountBody, type UpdateAccountBody } from './account-request.js';

export interface AccountCommandDeps {
  accounts: AccountStore;
  publish: Publish;
  /** The public key credentials are sealed to; the gateway cannot open them. */
  sealingKey: SealingKey;
  providers: Pick<ProviderCatalog, 'has'>;
  clock: Clock;
  newId: NewId;
  logger: Pick<LogPort, 'warn'>;
}

type Command = EventData<'ACCOUNT_COMMAND'>;

/**
 * Admin commands about provider accounts. The dispatcher owns accounts: the
 * gateway seals the key at once (it is never stored, logged or published in
 * clear), publishes the command, and its view follows ACCOUNT_UPDATED.
 */
export function createAccountCommands(deps: AccountCommandDeps) {
  const send = async (command: Command): Promise<void> => {
    // One request id per command: two identical PATCHes are two commands.
    await deps.publish({
      type: 'ACCOUNT_COMMAND',
      id: eventIds.accountCommand(command.account_id, deps.newId()),
      data: command,
    });
  };
  const existing = async (accountId: string): Promise<AccountRecord> => {
    const found = await deps.accounts.get(accountId);
    if (!found) throw new NotFoundError('account', accountId);
    return found;
  };

  return {
    async create(body: CreateAccountBody): Promise<AccountRecord> {
      if (!deps.providers.has(body.provider_id)) {
        throw new ValidationFailedError([{ field: 'provider_id', message: `unknown provider ${body.provider_id}` }]);
      }
      const accountId = deps.newId();
      const now = deps.clock().toISOString();
      const { api_key, ...fields } = body;
      const settings = {
        ...ACCOUNT_DEFAULTS,
        ...fields,
        email: fields.email ?? null,
        nickname: fields.nickname ?? null,
      };
      await send({
        action: 'create',
        account_id: accountId,
        credential: sealCredential(deps.sealingKey, accountId, api_key),
        ...settings,
        requested_at: now,
      });
      const record = provisionalAccount(accountId, settings, now);
      // As for jobs: the command is durable, so a failed view write only delays the view.
      await deps.accounts.insertProvisional(record).catch((err: unknown) => {
        deps.logger.warn(
          { err, accountId },
          'account command published but its view write failed; ACCOUNT_UPDATED will fill it in',
        );
      });
      return record;
    },
    async update(accountId: string, body: UpdateAccountBody): Promise<AccountRecord> {
      const current = await existing(accountId);
      const { api_key, ...fields } = body;
      const credential =
        api_key === undefined ? {} : { credential: sealCredential(deps.sealingKey, accountId, api_key) };
      await send({
        action: 'update',
        account_id: accountId,
        ...fields,
        ...credential,
        requested_at: deps.clock().toISOString(),
      });
      return current;
    },
    async remove(accountId: string): Promise<AccountRecord> {
      const current = await existing(accountId);
      await send({ action: 'delete', account_id: accountId, requested_at: deps.clock().toISOString() });
      return current;
    },
    async addCredits(accountId: string, credits: number): Promise<AccountRecord> {
      const current = await existing(accountId);
      await send({ action: 'add_credits', account_id: accountId, credits, requested_at: deps.clock().toISOString() });
      return current;
    },
  };
}

export type AccountCommands = ReturnType<typeof createAccountCommands>;

function provisionalAccount(
  id: string,
  s: {
    provider_id: string;
    email: string | null;
    nickname: string | null;
    max_concurrent_jobs: number;
    priority: number;
  },
  now: string,
): AccountRecord {
  return {
    _id: id,
    provider_id: s.provider_id,
    email: s.email,
    nickname: s.nickname,
    status: 'ACTIVE',
    credits: 0,
    cooldown_until: null,
    max_concurrent_jobs: s.max_concurrent_jobs,
    in_flight: 0,
    priority: s.priority,
    total_submitted: 0,
    total_failed: 0,
    last_used: null,
    created_at: new Date(now),
    deleted: false,
    revision: 0,
    provisional: true,
  };
}
