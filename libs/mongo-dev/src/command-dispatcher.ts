import type { Document } from 'bson';
import { adminCommands } from './commands/admin.js';
import type { CommandContext, CommandHandler } from './commands/context.js';
import { ddlCommands } from './commands/ddl.js';
import { readCommands } from './commands/read.js';
import { writeCommands } from './commands/write.js';
import { CommandError, toCommandError } from './errors.js';

/**
 * `serverStatus().opcounters`, counted per command received (one round trip each; mongod
 * counts an insert per document): what a benchmark reads before and after a run.
 */
const opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };
const OPCOUNTER: Readonly<Record<string, keyof typeof opcounters>> = {
  insert: 'insert',
  find: 'query',
  update: 'update',
  delete: 'delete',
  getMore: 'getmore',
};

const handlers = new Map<string, CommandHandler>(
  Object.entries({
    ...adminCommands,
    ...readCommands,
    ...writeCommands,
    ...ddlCommands,
    serverStatus: () => ({ opcounters: { ...opcounters }, ok: 1 }),
  }),
);

export const supportedCommands = (): string[] => [...handlers.keys()];

/** Runs one command; every failure becomes an `ok: 0` reply, never an exception. */
export function dispatch(body: Document, ctx: CommandContext): Document {
  try {
    const name = Object.keys(body)[0] ?? '';
    opcounters[OPCOUNTER[name] ?? 'command']++;
    const handler = handlers.get(name);
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    // Like a standalone mongod: sessions are fine, transactions are not.
    if (body.startTransaction === true || body.autocommit === false) {
      throw new CommandError(
        20,
        'IllegalOperation',
        'Transaction numbers are only allowed on a replica set member or mongos: transactions are not supported by ' +
          'mongo-dev',
      );
    }
    return handler(body, ctx);
  } catch (err) {
    return toCommandError(err).toReply();
  }
}
