import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from 'mongoose';
import { mongoTarget } from './mongo-target.js';
import type { MongoTarget } from './mongo-target.js';

let target: MongoTarget;
beforeAll(async () => {
  target = await mongoTarget();
});
afterAll(async () => {
  await target.close();
});

const counterSchema = new Schema({ key: String, kind: String, n: Number, createdBy: String, tags: [String] });

describe('updates', () => {
  it('when findOneAndUpdate upserts with $inc and $setOnInsert, then $setOnInsert applies only on insert', async () => {
    const conn = await target.connect('upsert');
    const Counter = conn.model('Counter', counterSchema);
    const opts = { upsert: true, returnDocument: 'after' } as const;
    const first = await Counter.findOneAndUpdate(
      { key: 'k', kind: 'job' },
      { $inc: { n: 1 }, $setOnInsert: { createdBy: 'first' } },
      opts,
    ).lean();
    expect(first).toMatchObject({ key: 'k', kind: 'job', n: 1, createdBy: 'first' });
    const second = await Counter.findOneAndUpdate(
      { key: 'k', kind: 'job' },
      { $inc: { n: 1 }, $setOnInsert: { createdBy: 'second' } },
      opts,
    ).lean();
    expect(second).toMatchObject({ n: 2, createdBy: 'first' });
    expect(String(second?._id)).toBe(String(first?._id));
    expect(await Counter.countDocuments()).toBe(1);
  });

  it('when findOneAndUpdate asks for the old document, then it gets null on insert and the previous state after', async () => {
    const conn = await target.connect('fam_old');
    const Counter = conn.model('Counter', counterSchema);
    const none = await Counter.findOneAndUpdate(
      { key: 'o' },
      { $inc: { n: 5 } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
    expect(none).toBeNull();
    const before = await Counter.findOneAndUpdate(
      { key: 'o' },
      { $inc: { n: 1 } },
      { returnDocument: 'before', projection: { n: 1 } },
    ).lean();
    expect(before).toMatchObject({ n: 5 });
    expect(before).not.toHaveProperty('key');
  });

  it('when updateOne upserts on an equality filter, then the new document carries the filter fields', async () => {
    const conn = await target.connect('upsert_seed');
    const Counter = conn.model('Counter', counterSchema);
    const res = await Counter.updateOne({ key: 'seed', n: { $gte: 0 } }, { $set: { kind: 'x' } }, { upsert: true });
    expect(res.upsertedCount).toBe(1);
    const doc = await Counter.findById(res.upsertedId).lean();
    expect(doc).toMatchObject({ key: 'seed', kind: 'x' });
    expect(doc).not.toHaveProperty('n');
  });

  it('when updateMany and deleteOne run, then counts and contents match mongod', async () => {
    const conn = await target.connect('many');
    const Counter = conn.model('Counter', counterSchema);
    await Counter.create([
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
      { key: 'c', n: 3 },
    ]);
    const res = await Counter.updateMany({ n: { $gte: 2 } }, { $push: { tags: 'big' } });
    expect(res).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const same = await Counter.updateOne({ key: 'a' }, { $set: { n: 1 } });
    expect(same).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect((await Counter.deleteOne({ n: { $gte: 2 } })).deletedCount).toBe(1);
    expect((await Counter.deleteMany({})).deletedCount).toBe(2);
  });

  it('when an update is a pipeline, then it may compute fields from the document', async () => {
    const conn = await target.connect('pipeline');
    const coll = conn.collection('docs');
    await coll.insertOne({ _id: 'p' as never, a: 2, b: 3 });
    await coll.updateOne({ _id: 'p' as never }, [{ $set: { sum: { $add: ['$a', '$b'] } } }]);
    expect(await coll.findOne({ _id: 'p' as never })).toEqual({ _id: 'p', a: 2, b: 3, sum: 5 });
  });

  it('when findOneAndDelete matches by sort, then it removes and returns the first in that order', async () => {
    const conn = await target.connect('fad');
    const Counter = conn.model('Counter', counterSchema);
    await Counter.create([
      { key: 'a', n: 1 },
      { key: 'b', n: 3 },
      { key: 'c', n: 2 },
    ]);
    const removed = await Counter.findOneAndDelete({}, { sort: { n: -1 } }).lean();
    expect(removed?.key).toBe('b');
    expect(await Counter.countDocuments()).toBe(2);
  });
});
