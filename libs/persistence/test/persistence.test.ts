import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsOn } from '@pixsim/testkit';
import {
  createFoldStore,
  createGroupCommit,
  declareIndexes,
  defineModel,
  isDuplicateKey,
  listIndexKeys,
  migrateIndexes,
} from '../src/index.js';

let conn: Connection;
/** Commands the server has received for one collection of this suite's database. */
const commandsOnConn = (collection: string) => commandsOn(conn, collection);

beforeAll(async () => {
  conn = await mongoose
    .createConnection(process.env.MONGODB_URI!, { dbName: `persistence-${randomUUID().slice(0, 8)}` })
    .asPromise();
});
afterAll(async () => {
  await conn.dropDatabase();
  await conn.close();
});

interface Pair {
  a: string;
  b: string;
}
const pairSchema = () => {
  const schema = new Schema<Pair>({ a: String, b: String }, { versionKey: false });
  schema.index({ a: 1 }, { unique: true });
  schema.index({ b: 1 }, { unique: true });
  return schema;
};

describe('isDuplicateKey', () => {
  it('when a unique index refuses a write, then it is a duplicate key naming that index field only', async () => {
    const Pair = defineModel<Pair>(`Pair${randomUUID().slice(0, 6)}`, pairSchema()).model(conn);
    await Pair.init();
    await Pair.create({ a: '1', b: '1' });
    const onA = await Pair.create({ a: '1', b: '2' }).catch((e: unknown) => e);
    const onB = await Pair.create({ a: '2', b: '1' }).catch((e: unknown) => e);
    expect([isDuplicateKey(onA), isDuplicateKey(onA, 'a'), isDuplicateKey(onA, 'b')]).toEqual([true, true, false]);
    expect([isDuplicateKey(onB), isDuplicateKey(onB, 'a'), isDuplicateKey(onB, 'b')]).toEqual([true, false, true]);
  });

  it('when the code is 11001 (older servers), then it is a duplicate key; other codes and non-errors are not', () => {
    expect(isDuplicateKey({ code: 11001, keyValue: { job_id: 'j' } }, 'job_id')).toBe(true);
    expect(
      isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error index: asset_id_1 dup key' }, 'asset_id'),
    ).toBe(true);
    expect(isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error index: job_id_1' }, 'asset_id')).toBe(
      false,
    );
    expect(isDuplicateKey({ code: 40 })).toBe(false);
    expect(isDuplicateKey(null)).toBe(false);
    expect(isDuplicateKey('E11000')).toBe(false);
  });
});

describe('defineModel', () => {
  it('when two stores ask one connection for the model, then it is compiled once and its collection is typed', async () => {
    const def = defineModel<Pair>(`Twice${randomUUID().slice(0, 6)}`, pairSchema());
    expect(def.model(conn)).toBe(def.model(conn));
    await def.collection(conn).insertOne({ a: 'x', b: 'y' } as Pair & { _id?: never });
    expect(await def.collection(conn).findOne({ a: 'x' })).toMatchObject({ a: 'x', b: 'y' });
  });
});

interface Counter {
  _id: string;
  version: number;
  total: number;
  seen: string[];
  owned_elsewhere: string | null;
}

describe('createFoldStore', () => {
  const counters = () => {
    const def = defineModel<Counter>(
      `Counter${randomUUID().slice(0, 6)}`,
      new Schema<Counter>(
        { _id: String, version: Number, total: Number, seen: [String], owned_elsewhere: String },
        { versionKey: false },
      ),
    );
    return def.collection(conn);
  };
  const fold = (current: Counter | null, id: string, event: { id: string; n: number }): Counter => {
    const base = current ?? { _id: id, version: 0, total: 0, seen: [], owned_elsewhere: null };
    if (base.seen.includes(event.id)) return base;
    return { ...base, total: base.total + event.n, seen: [...base.seen, event.id] };
  };

  it('when many writers fold events into one record at once, then none is lost and each write bumps the version', async () => {
    const collection = counters();
    const stores = Array.from({ length: 4 }, () => createFoldStore({ collection, fold, cacheSize: 10 }));
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => stores[i % stores.length]!.apply('c1', { id: `e${i}`, n: i })),
    );
    const stored = await stores[0]!.get('c1');
    expect(stored?.total).toBe((7 * 8) / 2);
    expect(stored?.seen).toHaveLength(8);
    expect(stored?.version).toBe(8);
  });

  it('when events of one record come while its last fold is lingering, then each folds from the one before, with no lost race', async () => {
    const collection = counters();
    const store = createFoldStore({ collection, fold, lingerMs: 50, cacheSize: 10 });
    await collection.insertOne({ _id: 'other', version: 1, total: 0, seen: [], owned_elsewhere: null });
    const before = await commandsOnConn(collection.collectionName);
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => store.apply('c-linger', { id: `e${i}`, n: 1 }, { linger: true })),
    );
    expect(results.map((r) => r.record.version)).toEqual([1, 2, 3, 4]);
    expect((await store.get('c-linger'))?.total).toBe(4);
    // One read (the record was not cached) and one write per event: a lost race would add a
    // refused write and a read for each retry.
    expect(await commandsOnConn(collection.collectionName)).toBe(before + 5 + 1);
  });

  it('when more records are folded than the cache holds, then only the least recently folded is read again', async () => {
    const collection = counters();
    const store = createFoldStore({ collection, fold, cacheSize: 2 });
    for (const id of ['r1', 'r2', 'r3']) await store.apply(id, { id: 'e1', n: 1 });
    const before = await commandsOnConn(collection.collectionName);
    await store.apply('r3', { id: 'e2', n: 1 });
    await store.apply('r2', { id: 'e2', n: 1 });
    // r3 and r2 were cached: a write each, no read.
    expect(await commandsOnConn(collection.collectionName)).toBe(before + 2);
    const r1 = await store.apply('r1', { id: 'e2', n: 1 });
    // r1 was evicted when r3 came: a read, then the write.
    expect(await commandsOnConn(collection.collectionName)).toBe(before + 2 + 2);
    expect(r1.record).toMatchObject({ total: 2, version: 2 });
  });

  it('when an event changes nothing, then nothing is written and the previous record is reported', async () => {
    const store = createFoldStore({ collection: counters(), fold });
    const first = await store.apply('c2', { id: 'e1', n: 2 });
    expect(first.previous).toBeNull();
    const again = await store.apply('c2', { id: 'e1', n: 2 });
    expect(again.record.version).toBe(1);
    expect(again.previous?.total).toBe(2);
  });

  it('when another writer sets a preserved field, then a later fold does not overwrite it', async () => {
    const collection = counters();
    const store = createFoldStore({ collection, fold, preserve: ['owned_elsewhere'] });
    await store.apply('c3', { id: 'e1', n: 1 });
    await collection.updateOne({ _id: 'c3' }, { $set: { owned_elsewhere: 'mine' } });
    await store.apply('c3', { id: 'e2', n: 1 });
    expect(await collection.findOne({ _id: 'c3' })).toMatchObject({ owned_elsewhere: 'mine', total: 2, version: 2 });
  });

  it('when the record keeps changing under it, then it gives up with a retryable WRITE_CONFLICT', async () => {
    const collection = counters();
    const store = createFoldStore({
      collection,
      maxConflicts: 3,
      fold: (current, id, event: { id: string; n: number }) => {
        // Another writer bumps the version between every read and write.
        void collection.updateOne({ _id: id }, { $inc: { version: 1 } });
        return fold(current, id, event);
      },
    });
    await collection.insertOne({ _id: 'c4', version: 1, total: 0, seen: [], owned_elsewhere: null });
    await expect(store.apply('c4', { id: 'e1', n: 1 })).rejects.toMatchObject({
      code: 'WRITE_CONFLICT',
      retryable: true,
    });
  });
});

describe('migrateIndexes', () => {
  // As in production: nothing is built behind the migration's back when a model is compiled.
  const open = () =>
    mongoose
      .createConnection(process.env.MONGODB_URI!, { dbName: conn.name, autoIndex: false, autoCreate: false })
      .asPromise();

  it('when run twice, then the first builds the declared indexes and the second changes nothing', async () => {
    const def = defineModel<Pair>(`Mig${randomUUID().slice(0, 6)}`, pairSchema());
    const set = declareIndexes('test', [def]);
    const quiet = await open();
    try {
      const [first] = await migrateIndexes(quiet, set);
      expect(first!.created.sort()).toEqual(['a_1', 'b_1']);
      const [second] = await migrateIndexes(quiet, set);
      expect(second).toMatchObject({ created: [], dropped: [] });
    } finally {
      await quiet.close();
    }
  });

  it('when a declared index changes its options, then the old one is dropped and the new one built', async () => {
    const name = `Chg${randomUUID().slice(0, 6)}`;
    const before = new Schema<Pair>({ a: String, b: String }, { versionKey: false });
    before.index({ a: 1 });
    const first = await open();
    await migrateIndexes(first, declareIndexes('test', [defineModel(name, before)]));
    await first.close();
    const other = await open();
    try {
      const after = new Schema<Pair>({ a: String, b: String }, { versionKey: false });
      after.index({ a: 1 }, { unique: true });
      const [change] = await migrateIndexes(other, declareIndexes('test', [defineModel(name, after)]));
      expect(change).toMatchObject({ created: ['a_1'], dropped: ['a_1'] });
      const indexes = await other.collection(change!.collection).listIndexes().toArray();
      expect(indexes.find((ix) => ix.name === 'a_1')?.unique).toBe(true);
      expect(await listIndexKeys(other, change!.collection)).toContainEqual({ a: 1 });
    } finally {
      await other.close();
    }
  });
});

describe('createGroupCommit', () => {
  interface Row {
    _id: string;
    n: number;
  }
  const rows = () => {
    const name = `rows_${randomUUID().slice(0, 6)}`;
    return { name, collection: conn.db!.collection<Row>(name) };
  };

  it('when many writes are issued at once, then they share a few round trips and each lands', async () => {
    const { name, collection } = rows();
    const writes = createGroupCommit<Row>(collection);
    const before = await commandsOnConn(name);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => writes.write({ insertOne: { document: { _id: `r${i}`, n: i } } })),
    );
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        writes.write({ updateOne: { filter: { _id: `r${i}` }, update: { $inc: { n: 100 } } } }),
      ),
    );
    expect(await commandsOnConn(name)).toBeLessThanOrEqual(before + 4);
    const stored = await collection.find().sort({ n: 1 }).toArray();
    expect(stored.map((r) => r.n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 100));
  });

  it('when one write of a batch is refused, then only its caller sees the refusal, as a duplicate key', async () => {
    const { collection } = rows();
    await collection.insertOne({ _id: 'taken', n: 0 });
    const writes = createGroupCommit<Row>(collection);
    const results = await Promise.allSettled(
      ['a', 'taken', 'b'].map((id) => writes.write({ insertOne: { document: { _id: id, n: 1 } } })),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refused = (results[1] as PromiseRejectedResult).reason;
    expect(isDuplicateKey(refused)).toBe(true);
    expect(isDuplicateKey(refused, '_id')).toBe(true);
    expect(await collection.countDocuments()).toBe(3);
  });

  it('when a batch mixes inserts and upserts, then each caller learns its own outcome by its own place', async () => {
    const { collection } = rows();
    await collection.insertMany([
      { _id: 'old', n: 0 },
      { _id: 'dup', n: 0 },
    ]);
    const writes = createGroupCommit<Row>(collection);
    const results = await Promise.allSettled([
      writes.write({ updateOne: { filter: { _id: 'new' }, update: { $set: { n: 1 } }, upsert: true } }),
      writes.write({ insertOne: { document: { _id: 'dup', n: 1 } } }),
      writes.write({ updateOne: { filter: { _id: 'old' }, update: { $set: { n: 1 } }, upsert: true } }),
      writes.write({ insertOne: { document: { _id: 'fresh', n: 1 } } }),
      writes.write({ updateOne: { filter: { _id: 'old', n: 7 }, update: { $set: { n: 2 } }, upsert: true } }),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : isDuplicateKey(r.reason) && 'duplicate'))).toEqual([
      { upserted: true },
      'duplicate',
      { upserted: false },
      { upserted: false },
      'duplicate',
    ]);
  });

  it('when writes arrive while a batch is on the wire, then they wait and go out together next', async () => {
    const { name, collection } = rows();
    const writes = createGroupCommit<Row>(collection, { maxInFlight: 1 });
    const before = await commandsOnConn(name);
    const first = writes.write({ insertOne: { document: { _id: 'first', n: 0 } } });
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 20 }, (_, i) =>
      writes.write({ insertOne: { document: { _id: `later${i}`, n: i } } }),
    );
    await Promise.all([first, ...rest]);
    expect(await commandsOnConn(name)).toBe(before + 2);
  });
});

describe('createGroupCommit with a linger', () => {
  interface Row {
    _id: string;
    n: number;
  }
  const rows = () => {
    const name = `lingered_${randomUUID().slice(0, 6)}`;
    return { name, collection: conn.db!.collection<Row>(name) };
  };
  const insert = (writes: ReturnType<typeof createGroupCommit<Row>>, id: string) =>
    writes.write({ insertOne: { document: { _id: id, n: 0 } } });

  it('when writes trickle in within the linger, then they go out in one round trip, after it', async () => {
    const { name, collection } = rows();
    const writes = createGroupCommit<Row>(collection, { lingerMs: 150 });
    const before = await commandsOnConn(name);
    const started = Date.now();
    const landed: Promise<unknown>[] = [];
    let settled = 0;
    for (let i = 0; i < 5; i++) {
      landed.push(insert(writes, `t${i}`).finally(() => settled++));
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(settled).toBe(0); // still lingering
    await Promise.all(landed);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await commandsOnConn(name)).toBe(before + 1);
    expect(await collection.countDocuments()).toBe(5);
  });

  it('when a lingering batch fills up, then it leaves at once', async () => {
    const { name, collection } = rows();
    const writes = createGroupCommit<Row>(collection, { lingerMs: 60_000, maxBatch: 10 });
    const before = await commandsOnConn(name);
    await Promise.all(Array.from({ length: 10 }, (_, i) => insert(writes, `f${i}`)));
    expect(await commandsOnConn(name)).toBe(before + 1);
    expect(await collection.countDocuments()).toBe(10);
  });

  it('when writes arrive while a batch is on the wire, then they go out as it returns, without lingering again', async () => {
    const { name, collection } = rows();
    // The real collection, with the first batch's reply held back until the test lets it go.
    let onWire!: () => void;
    const sent = new Promise<void>((r) => (onWire = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let batches = 0;
    const slowFirst = {
      bulkWrite: async (...args: Parameters<typeof collection.bulkWrite>) => {
        const res = await collection.bulkWrite(...args);
        if (++batches === 1) {
          onWire();
          await held;
        }
        return res;
      },
    } as unknown as typeof collection;
    const writes = createGroupCommit<Row>(slowFirst, { lingerMs: 100 });
    const before = await commandsOnConn(name);
    const first = insert(writes, 'first');
    await sent;
    let secondSettled = false;
    const second = insert(writes, 'second').finally(() => (secondSettled = true));
    await new Promise((r) => setTimeout(r, 150)); // longer than the linger: the second waits for the first
    expect(secondSettled).toBe(false);
    const released = Date.now();
    release();
    await Promise.all([first, second]);
    expect(Date.now() - released).toBeLessThan(80);
    expect(batches).toBe(2);
    expect(await commandsOnConn(name)).toBe(before + 2);
  });
});

describe('createFoldStore under load', () => {
  it('when events of many records are folded at once, then round trips are far fewer than events and nothing is lost', async () => {
    const name = `tallies_${randomUUID().slice(0, 6)}`;
    const collection = conn.db!.collection<Counter>(name);
    const store = createFoldStore<Counter, { id: string; n: number }>({
      collection,
      fold: (current, id, event) => {
        const base = current ?? { _id: id, version: 0, total: 0, seen: [], owned_elsewhere: null };
        return { ...base, total: base.total + event.n, seen: [...base.seen, event.id] };
      },
      insertUnread: () => true,
    });
    const before = await commandsOnConn(name);
    const ids = Array.from({ length: 40 }, (_, i) => `t${i}`);
    await Promise.all(ids.map((id) => store.apply(id, { id: 'e1', n: 1 })));
    await Promise.all(ids.map((id) => store.apply(id, { id: 'e2', n: 2 })));
    // 80 events: one insert batch and one update batch (the cache saves every read).
    expect(await commandsOnConn(name)).toBeLessThanOrEqual(before + 4);
    const stored = await collection.find().toArray();
    expect(stored).toHaveLength(40);
    expect(stored.every((r) => r.total === 3 && r.version === 2)).toBe(true);
  });

  it('when a record is moved on by another writer between batches, then the lost race is retried from a fresh read', async () => {
    const name = `tallies_${randomUUID().slice(0, 6)}`;
    const collection = conn.db!.collection<Counter>(name);
    const fold = (current: Counter | null, id: string, event: { id: string; n: number }): Counter => {
      const base = current ?? { _id: id, version: 0, total: 0, seen: [], owned_elsewhere: null };
      return { ...base, total: base.total + event.n, seen: [...base.seen, event.id] };
    };
    const mine = createFoldStore({ collection, fold });
    const theirs = createFoldStore({ collection, fold });
    await mine.apply('x', { id: 'e1', n: 1 });
    await theirs.apply('x', { id: 'e2', n: 10 });
    // `mine` still caches version 1: its conditional write misses and must re-read.
    const { record } = await mine.apply('x', { id: 'e3', n: 100 });
    expect(record).toMatchObject({ total: 111, version: 3 });
    expect(await collection.findOne({ _id: 'x' })).toMatchObject({ total: 111, version: 3, seen: ['e1', 'e2', 'e3'] });
  });
});
