import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { start } from '../src/index.js';

export interface MongoTarget {
  uri: string;
  /** True when the tests run against a server we started, false for MONGODB_URI. */
  local: boolean;
  /** A connection to a fresh database of its own. */
  connect(label: string): Promise<Connection>;
  close(): Promise<void>;
}

/** MONGODB_URI when set (a real mongod or the global dev server), else a server of our own. */
export async function mongoTarget(): Promise<MongoTarget> {
  const external = process.env.MONGODB_URI;
  const server = external ? undefined : await start({ port: 0 });
  const uri = external ?? (server as { uri: string }).uri;
  const connections: Connection[] = [];
  return {
    uri,
    local: !external,
    async connect(label) {
      const dbName = `mongodev_${label}_${randomBytes(4).toString('hex')}`;
      const conn = mongoose.createConnection(uri, { dbName, serverSelectionTimeoutMS: 5_000, autoIndex: true });
      connections.push(conn);
      await conn.asPromise();
      return conn;
    },
    async close() {
      for (const conn of connections) {
        await conn.dropDatabase().catch(() => {});
        await conn.close();
      }
      await server?.stop();
    },
  };
}
