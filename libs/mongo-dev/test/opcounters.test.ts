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

type Usage = { time: number; count: number };
type Top = {
  totals: Record<
    string,
    Record<'total' | 'readLock' | 'writeLock' | 'queries' | 'insert' | 'update' | 'remove', Usage>
  >;
};

describe('top', () => {
  it('when a client works on two collections, then top counts each namespace apart, by kind, with time spent', async () => {
    const conn = await mongoose.createConnection(server.uri, { dbName: 'top_counts' }).asPromise();
    try {
      const top = async () => ((await conn.db!.admin().command({ top: 1 })) as Top).totals;
      const jobs = conn.db!.collection('jobs');
      const assets = conn.db!.collection('assets');
      await jobs.insertOne({ a: 1 });
      await jobs.updateOne({ a: 1 }, { $set: { b: 1 } });
      await jobs.findOne({ a: 1 });
      await assets.insertOne({ x: 1 });
      await assets.deleteOne({ x: 1 });
      const totals = await top();
      const j = totals['top_counts.jobs']!;
      const a = totals['top_counts.assets']!;
      expect([j.insert.count, j.update.count, j.queries.count, j.remove.count, j.total.count]).toEqual([1, 1, 1, 0, 3]);
      expect([j.readLock.count, j.writeLock.count]).toEqual([1, 2]);
      expect([a.insert.count, a.remove.count, a.total.count]).toEqual([1, 1, 2]);
      expect(j.total.time).toBeGreaterThanOrEqual(j.insert.time);
    } finally {
      await conn.close();
    }
  });
});
