import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from 'mongoose';
import type { Connection } from 'mongoose';
import { mongoTarget } from './mongo-target.js';
import { Collection } from '../src/collection.js';
import type { MongoTarget } from './mongo-target.js';

let target: MongoTarget;
beforeAll(async () => {
  target = await mongoTarget();
});
afterAll(async () => {
  await target.close();
});

const itemSchema = new Schema({ name: String, group: String, price: Number, tags: [String] });
const seed = async (conn: Connection) => {
  const Item = conn.model('Item', itemSchema);
  await Item.create([
    { name: 'a', group: 'x', price: 5, tags: ['red'] },
    { name: 'b', group: 'y', price: 3, tags: ['red', 'blue'] },
    { name: 'c', group: 'x', price: 9, tags: [] },
    { name: 'd', group: 'y', price: 1, tags: ['green'] },
    { name: 'e', group: 'z', price: 7, tags: ['blue'] },
  ]);
  return Item;
};

describe('queries', () => {
  it('when find sorts, skips, limits and projects, then the page and fields match', async () => {
    const Item = await seed(await target.connect('page'));
    const page = await Item.find({ price: { $gt: 1 } }, { name: 1, _id: 0 })
      .sort({ price: -1 })
      .skip(1)
      .limit(2)
      .lean();
    expect(page).toEqual([{ name: 'e' }, { name: 'a' }]);
    const excluded = await Item.findOne({ name: 'b' }).select('-tags -__v').lean();
    expect(Object.keys(excluded ?? {}).sort()).toEqual(['_id', 'group', 'name', 'price']);
  });

  it('when countDocuments and estimatedDocumentCount run, then they count matches and all', async () => {
    const Item = await seed(await target.connect('count'));
    expect(await Item.countDocuments({ group: 'x' })).toBe(2);
    expect(await Item.countDocuments({ tags: 'red' })).toBe(2);
    expect(await Item.estimatedDocumentCount()).toBe(5);
  });

  it('when aggregate runs $match, $group and $sort, then totals per group come back in order', async () => {
    const Item = await seed(await target.connect('agg'));
    const rows = await Item.aggregate<{ _id: string; total: number; n: number }>([
      { $match: { price: { $gte: 2 } } },
      { $group: { _id: '$group', total: { $sum: '$price' }, n: { $sum: 1 } } },
      { $sort: { total: -1 } },
    ]);
    expect(rows).toEqual([
      { _id: 'x', total: 14, n: 2 },
      { _id: 'z', total: 7, n: 1 },
      { _id: 'y', total: 3, n: 1 },
    ]);
    const unwound = await Item.aggregate([{ $unwind: '$tags' }, { $count: 'n' }]);
    expect(unwound).toEqual([{ n: 5 }]);
  });

  it('when aggregate uses $lookup, then the joined collection is resolved', async () => {
    const conn = await target.connect('lookup');
    await conn.collection('users').insertMany([{ _id: 1 as never, name: 'ann' }]);
    await conn.collection('orders').insertMany([
      { user: 1, total: 3 },
      { user: 1, total: 4 },
      { user: 2, total: 1 },
    ]);
    const rows = await conn
      .collection('users')
      .aggregate([
        { $lookup: { from: 'orders', localField: '_id', foreignField: 'user', as: 'orders' } },
        { $project: { name: 1, count: { $size: '$orders' } } },
      ])
      .toArray();
    expect(rows).toEqual([{ _id: 1, name: 'ann', count: 2 }]);
  });

  it('when distinct runs, then array values are unwound and deduplicated', async () => {
    const Item = await seed(await target.connect('distinct'));
    expect((await Item.distinct('group')).sort()).toEqual(['x', 'y', 'z']);
    expect((await Item.distinct('tags', { group: { $ne: 'z' } })).sort()).toEqual(['blue', 'green', 'red']);
  });

  it('when more documents match than the first batch holds, then getMore returns the rest', async () => {
    const conn = await target.connect('getmore');
    const Row = conn.model('Row', new Schema({ i: Number }));
    await Row.insertMany(Array.from({ length: 1000 }, (_, i) => ({ i })));
    let seen = 0;
    let sum = 0;
    for await (const row of Row.find().sort({ i: 1 }).batchSize(101).lean().cursor()) {
      expect(row.i).toBe(seen);
      seen++;
      sum += row.i ?? 0;
    }
    expect(seen).toBe(1000);
    expect(sum).toBe((999 * 1000) / 2);
    expect(await Row.find({ i: { $gte: 100 } }).lean()).toHaveLength(900);
    const agg = await conn
      .collection('rows')
      .aggregate([{ $match: {} }], { batchSize: 50 })
      .toArray();
    expect(agg).toHaveLength(1000);
  });

  it('when a cursor is closed early, then killCursors succeeds and other queries keep working', async () => {
    const conn = await target.connect('kill');
    const coll = conn.collection('rows');
    await coll.insertMany(Array.from({ length: 300 }, (_, i) => ({ i })));
    const cursor = coll.find({}, { batchSize: 10 });
    await cursor.next();
    await cursor.close();
    expect(await coll.countDocuments()).toBe(300);
  });
});

describe('lookups by id and unique key', () => {
  it('when a filter pins _id or a single-field unique key to a value or $in values, then only those documents are examined; other filters scan', () => {
    const coll = new Collection('db', 'things', () => {});
    coll.createIndex({ key: { code: 1 }, name: 'code_1', unique: true });
    coll.createIndex({ key: { tag: 1 }, name: 'tag_1', unique: true, sparse: true });
    for (let i = 0; i < 1_000; i++)
      coll.insert({ _id: `t-${i}`, code: `c-${i}`, n: i, ...(i % 2 ? { tag: `g-${i}` } : {}) });
    expect(coll.candidates({ _id: 't-5' }).map((d) => d._id)).toEqual(['t-5']);
    expect(coll.candidates({ code: 'c-7', n: 7 }).map((d) => d._id)).toEqual(['t-7']);
    expect(coll.candidates({ _id: 'nope' })).toEqual([]);
    // $in of values: each one looked up, in natural order, each document once.
    expect(coll.candidates({ _id: { $in: ['t-9', 'nope', 't-2', 't-9'] } }).map((d) => d._id)).toEqual(['t-2', 't-9']);
    expect(coll.candidates({ code: { $in: ['c-3', 'c-1'] } }).map((d) => d._id)).toEqual(['t-1', 't-3']);
    expect(coll.candidates({ _id: { $in: [] } })).toEqual([]);
    // Other operators, null, and sparse or compound indexes are not shortcuts: the whole collection is a candidate.
    expect(coll.candidates({ _id: { $in: ['t-1', { $gt: 't-1' }] } })).toHaveLength(1_000);
    expect(coll.candidates({ _id: { $nin: ['t-1'] } })).toHaveLength(1_000);
    expect(coll.candidates({ code: null })).toHaveLength(1_000);
    expect(coll.candidates({ tag: 'g-3' })).toHaveLength(1_000);
    expect(coll.candidates({ n: 3 })).toHaveLength(1_000);
  });

  it('when documents are found through the shortcut, then updates and finds through mongoose see the same results as a scan', async () => {
    const db = await target.connect('lookups');
    const Thing = db.model(
      'Thing',
      new Schema({ _id: String, code: { type: String, unique: true }, n: Number }, { versionKey: false }),
    );
    await Thing.init();
    await Thing.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: `u-${i}`, code: `d-${i}`, n: 0 })));
    await Promise.all(Array.from({ length: 50 }, () => Thing.updateOne({ _id: 'u-5' }, { $inc: { n: 1 } })));
    expect((await Thing.findById('u-5').lean())!.n).toBe(50);
    expect(await Thing.findOne({ code: 'd-1999' }).lean()).toMatchObject({ _id: 'u-1999' });
    expect(await Thing.findOne({ code: 'd-1999', n: 1 }).lean()).toBeNull();
    expect(await Thing.countDocuments({ _id: 'nope' })).toBe(0);
    expect(
      await Thing.findOneAndUpdate({ _id: 'u-9' }, { $set: { n: 9 } }, { returnDocument: 'after' }).lean(),
    ).toMatchObject({ n: 9 });
  });
});
