import type { Document } from 'bson';
import { adminCommands } from './commands/admin.js';
import type { CommandContext, CommandHandler } from './commands/context.js';
import { ddlCommands } from './commands/ddl.js';
import { readCommands } from './commands/read.js';
import { writeCommands } from './commands/write.js';
import { CommandError, toCommandError } from './errors.js';
import { countCommand, serverStatus, top } from './op-counters.js';

const handlers = new Map<string, CommandHandler>(
  Object.entries({
    ...adminCommands,
    ...readCommands,
    ...writeCommands,
    ...ddlCommands,
    serverStatus,
    top,
  }),
);

export const supportedCommands = (): string[] => [...handlers.keys()];

/** Runs one command; every failure becomes an `ok: 0` reply, never an exception. */
export function dispatch(body: Document, ctx: CommandContext): Document {
  try {
    const name = Object.keys(body)[0] ?? '';
    const counted = countCommand(name, body);
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
    const started = performance.now();
    try {
      return handler(body, ctx);
    } finally {
      counted(Math.round((performance.now() - started) * 1000));
    }
  } catch (err) {
    return toCommandError(err).toReply();
  }
}
