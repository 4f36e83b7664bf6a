import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from 'mongoose';
import type { Connection } from 'mongoose';
import { mongoTarget } from './mongo-target.js';
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
    const page = await Item.find({ price: { $gt: 1 } }, { name: 1, _id: 0 }).sort({ price: -1 }).skip(1).limit(2).lean();
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
    expect(rows).toEqual([{ _id: 'x', total: 14, n: 2 }, { _id: 'z', total: 7, n: 1 }, { _id: 'y', total: 3, n: 1 }]);
    const unwound = await Item.aggregate([{ $unwind: '$tags' }, { $count: 'n' }]);
    expect(unwound).toEqual([{ n: 5 }]);
  });

  it('when aggregate uses $lookup, then the joined collection is resolved', async () => {
    const conn = await target.connect('lookup');
    await conn.collection('users').insertMany([{ _id: 1 as never, name: 'ann' }]);
    await conn.collection('orders').insertMany([{ user: 1, total: 3 }, { user: 1, total: 4 }, { user: 2, total: 1 }]);
    const rows = await conn.collection('users').aggregate([
      { $lookup: { from: 'orders', localField: '_id', foreignField: 'user', as: 'orders' } },
      { $project: { name: 1, count: { $size: '$orders' } } },
    ]).toArray();
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
    const agg = await conn.collection('rows').aggregate([{ $match: {} }], { batchSize: 50 }).toArray();
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
  it('when 20,000 documents exist, then finding one by _id or by a unique field takes about as long as with 10', async () => {
    const db = await target.connect('lookups');
    const Thing = db.model('Thing', new Schema({ _id: String, code: { type: String, unique: true }, n: Number }, { versionKey: false }));
    await Thing.init();
    const timeLookups = async () => {
      const started = performance.now();
      for (let i = 0; i < 200; i++) {
        await Thing.findById('t-5').lean();
        await Thing.findOne({ code: 'c-5' }).lean();
        await Thing.updateOne({ _id: 't-5' }, { $inc: { n: 1 } });
      }
      return performance.now() - started;
    };
    await Thing.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: `t-${i}`, code: `c-${i}`, n: 0 })));
    const small = await timeLookups();
    await Thing.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ _id: `u-${i}`, code: `d-${i}`, n: 0 })));
    const large = await timeLookups();
    expect((await Thing.findById('t-5').lean())!.n).toBe(400);
    expect(await Thing.findOne({ code: 'd-19999' }).lean()).toMatchObject({ _id: 'u-19999' });
    expect(await Thing.countDocuments({ _id: 'nope' })).toBe(0);
    // A scan of 20,000 documents per call would make this tens of times slower.
    expect(large).toBeLessThan(small * 2);
  });
});
