import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, type MongoDevServer } from '../src/index.js';

let server: MongoDevServer;
beforeAll(async () => {
  server = await start();
});
afterAll(async () => {
  await server.stop();
});

type Counters = Record<'insert' | 'query' | 'update' | 'delete' | 'getmore' | 'command', number>;

describe('serverStatus', () => {
  it('when a client inserts, finds, updates and deletes, then opcounters count each command once, as a benchmark reads them', async () => {
    const conn = await mongoose.createConnection(server.uri, { dbName: 'opcounters' }).asPromise();
    try {
      const status = async () =>
        ((await conn.db!.admin().command({ serverStatus: 1 })) as { opcounters: Counters }).opcounters;
      const before = await status();
      const c = conn.db!.collection('jobs');
      await c.insertMany([{ a: 1 }, { a: 2 }]);
      await c.findOne({ a: 1 });
      await c.updateOne({ a: 1 }, { $set: { b: 1 } });
      await c.deleteOne({ a: 2 });
      const after = await status();
      expect({
        insert: after.insert - before.insert,
        query: after.query - before.query,
        update: after.update - before.update,
        delete: after.delete - before.delete,
      }).toEqual({ insert: 1, query: 1, update: 1, delete: 1 });
      // The serverStatus that read `before` is a command too.
      expect(after.command - before.command).toBeGreaterThanOrEqual(1);
    } finally {
      await conn.close();
    }
  });
});
