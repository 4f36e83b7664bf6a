import { calculateObjectSize } from 'bson';
import type { Document } from 'bson';
import { CommandError } from '../errors.js';
import { select } from '../query-exec.js';
import type { CommandContext, CommandHandler } from './context.js';

const VERSION = '7.0.0';

// The driver refuses maxWireVersion below 9; 21 is MongoDB 7.0.
function hello(_cmd: Document, ctx: CommandContext): Document {
  return {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo: CommandHandler = () => ({
  version: VERSION,
  gitVersion: 'mongo-dev',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['memory'],
  modules: [],
  ok: 1,
});

const hostInfo: CommandHandler = () => ({
  system: { currentTime: new Date(), hostname: '127.0.0.1', cpuArch: process.arch },
  os: { type: process.platform },
  extra: {},
  ok: 1,
});

const noTransactions: CommandHandler = () => {
  throw new CommandError(
    20,
    'IllegalOperation',
    'Transactions are not supported: mongo-dev is a single standalone node',
  );
};

function listDatabases(cmd: Document, ctx: CommandContext): Document {
  const all = ctx.store.databases().map((name) => {
    const size = ctx.store
      .collections(name)
      .reduce((sum, c) => sum + c.all().reduce((s, d) => s + calculateObjectSize(d), 0), 0);
    return { name, sizeOnDisk: size, empty: size === 0 };
  });
  const databases = select(all, cmd.filter as Document | undefined);
  if (cmd.nameOnly) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
  const totalSize = databases.reduce((s, d) => s + (d.sizeOnDisk as number), 0);
  return { databases, totalSize, totalSizeMb: Math.round(totalSize / 1048576), ok: 1 };
}

export const adminCommands: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  hostInfo,
  getParameter: () => ({ featureCompatibilityVersion: { version: '7.0' }, ok: 1 }),
  whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  endSessions: () => ({ ok: 1 }),
  abortTransaction: noTransactions,
  commitTransaction: noTransactions,
  listDatabases,
};
