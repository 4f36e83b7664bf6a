import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'bson';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose, { Schema } from 'mongoose';
import { start } from '../src/index.js';
import { mongoTarget } from './mongo-target.js';
import type { MongoTarget } from './mongo-target.js';
import { refusal } from './refusal.js';

let target: MongoTarget;
beforeAll(async () => {
  target = await mongoTarget();
});
afterAll(async () => {
  await target.close();
});

const docs = async (label: string) => (await target.connect(label)).db!.collection('docs');

describe('index definitions', () => {
  it('when the same index is requested again, then it is a no-op', async () => {
    const coll = await docs('idx_same');
    await coll.createIndex({ a: 1 }, { unique: true, expireAfterSeconds: 60 });
    await coll.createIndex({ a: 1 }, { unique: true, expireAfterSeconds: 60 });
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
  });

  it('when an index name is reused with other options, then it fails with 85 and the first definition stays', async () => {
    const coll = await docs('idx_options');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    const err = await refusal(coll.createIndex({ at: 1 }, { expireAfterSeconds: 120 }));
    expect(err).toMatchObject({ code: 85, codeName: 'IndexOptionsConflict' });
    expect(err.message).toContain('An equivalent index already exists with the same name but different options');
    expect((await coll.indexes()).find((i) => i.name === 'at_1')?.expireAfterSeconds).toBe(60);
  });

  it('when an index name is reused with another key or uniqueness, then it fails with 86', async () => {
    const coll = await docs('idx_keys');
    await coll.createIndex({ a: 1 }, { name: 'mine' });
    const key = await refusal(coll.createIndex({ b: 1 }, { name: 'mine' }));
    expect(key).toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
    expect(key.message).toContain('An existing index has the same name as the requested index');
    const unique = await refusal(coll.createIndex({ a: 1 }, { name: 'mine', unique: true }));
    expect(unique).toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
  });

  it('when the same definition is requested under another name, then it fails with 85', async () => {
    const coll = await docs('idx_rename');
    await coll.createIndex({ a: 1, b: -1 }, { name: 'first' });
    const err = await refusal(coll.createIndex({ a: 1, b: -1 }, { name: 'second' }));
    expect(err).toMatchObject({ code: 85, codeName: 'IndexOptionsConflict' });
    expect(err.message).toContain('Index already exists with a different name: first');
    // Another signature (unique) on the same key is another index, as in MongoDB 5.0+.
    await coll.createIndex({ a: 1, b: -1 }, { name: 'third', unique: true });
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'first', 'third']);
  });

  it('when a mongoose schema changes an index option, then syncing it is refused instead of silently kept', async () => {
    const conn = await target.connect('idx_mongoose');
    const first = new Schema({ created_at: Date });
    first.index({ created_at: 1 }, { expireAfterSeconds: 60 });
    await conn.model('Session', first, 'sessions').init();
    const second = new Schema({ created_at: Date });
    second.index({ created_at: 1 }, { expireAfterSeconds: 3600 });
    const Changed = conn.model('Session2', second, 'sessions');
    const err = await refusal(Changed.init());
    expect(err.code).toBe(85);
  });

  it('when a partial filter uses operators MongoDB 7 refuses, then index creation fails with 67', async () => {
    const coll = await docs('idx_partial');
    for (const filter of [
      { a: { $ne: 1 } },
      { a: { $exists: false } },
      { a: { $nin: [1] } },
      { a: /x/ },
      { $nor: [{ a: 1 }] },
      { a: { $elemMatch: { b: 1 } } },
      { $expr: { $gt: ['$a', 1] } },
    ]) {
      const err = await refusal(coll.createIndex({ k: 1 }, { partialFilterExpression: filter, name: 'p' }));
      expect(err, JSON.stringify(filter)).toMatchObject({ code: 67, codeName: 'CannotCreateIndex' });
    }
    await coll.createIndex(
      { k: 1 },
      {
        name: 'ok',
        partialFilterExpression: {
          a: 1,
          b: { $exists: true },
          c: { $gt: 1, $lte: 9 },
          d: { $type: 'string' },
          $or: [{ e: { $in: [1, 2] } }, { f: { $eq: 'x' } }],
        },
      },
    );
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_', 'ok']);
  });

  it('when a TTL index is on _id or on a compound key, then it is refused as mongod refuses it', async () => {
    const coll = await docs('idx_ttl_bad');
    await coll.insertOne({ a: 1, b: 1 });
    const id = await refusal(coll.createIndex({ _id: 1 }, { expireAfterSeconds: 60 }));
    expect(id).toMatchObject({ code: 197, codeName: 'InvalidIndexSpecificationOption' });
    const compound = await refusal(coll.createIndex({ a: 1, b: 1 }, { expireAfterSeconds: 60 }));
    expect(compound).toMatchObject({ code: 67, codeName: 'CannotCreateIndex' });
    expect((await coll.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('index definitions in snapshots', () => {
  const withServer = async <T>(snapshotPath: string, fn: (db: mongoose.mongo.Db) => Promise<T>): Promise<T> => {
    const server = await start({ port: 0, snapshotPath });
    const conn = await mongoose.createConnection(server.uri, { dbName: 'snap' }).asPromise();
    try {
      return await fn(conn.db!);
    } finally {
      await conn.close();
      await server.stop();
    }
  };

  it('when a server restarts from its snapshot, then each index keeps its full definition and a changed one is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mongo-dev-idx-'));
    const snapshotPath = join(dir, 'data.bson');
    try {
      await withServer(snapshotPath, async (db) => {
        await db
          .collection('s')
          .createIndex({ k: 1 }, { unique: true, partialFilterExpression: { live: true }, name: 'k_live' });
        await db.collection('s').createIndex({ at: 1 }, { expireAfterSeconds: 30 });
      });
      await withServer(snapshotPath, async (db) => {
        const indexes = await db.collection('s').indexes();
        expect(indexes.find((i) => i.name === 'k_live')).toMatchObject({
          key: { k: 1 },
          unique: true,
          partialFilterExpression: { live: true },
        });
        expect(indexes.find((i) => i.name === 'at_1')).toMatchObject({ expireAfterSeconds: 30 });
        expect((await refusal(db.collection('s').createIndex({ at: 1 }, { expireAfterSeconds: 60 }))).code).toBe(85);
        // The unique partial index is enforced after the restart.
        await db.collection('s').insertMany([{ k: 1, live: true }, { k: 1 }]);
        expect((await refusal(db.collection('s').insertOne({ k: 1, live: true }))).code).toBe(11000);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when an old snapshot holds an index the checks now refuse, then its data still loads without that index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mongo-dev-old-'));
    const snapshotPath = join(dir, 'data.bson');
    const indexes = [
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { a: 1 }, name: 'a_1', unique: true, background: true },
      { v: 2, key: { b: 1 }, name: 'b_1', partialFilterExpression: { b: { $ne: null } } },
    ];
    const records = [
      serialize({ c: { db: 'snap', name: 'old', indexes } }),
      serialize({ d: { _id: 1, a: 1, b: 2 } }),
      serialize({ d: { _id: 2, a: 2 } }),
    ];
    await writeFile(snapshotPath, Buffer.concat(records));
    try {
      await withServer(snapshotPath, async (db) => {
        expect(await db.collection('old').countDocuments()).toBe(2);
        expect((await db.collection('old').indexes()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
        expect((await refusal(db.collection('old').insertOne({ a: 1 }))).code).toBe(11000);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
