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

const userModel = async (conn: Connection) => {
  const User = conn.model('User', new Schema({ email: { type: String, unique: true }, n: Number }));
  await User.init();
  return User;
};

const writeErrorsOf = (err: unknown): Array<{ index: number; code: number }> => {
  const e = err as { writeErrors?: unknown };
  const list = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
  return list.map((w: { index: number; code: number; err?: { index: number; code: number } }) => ({
    index: w.err?.index ?? w.index,
    code: w.err?.code ?? w.code,
  }));
};

const emails = async (conn: Connection) =>
  (await conn.collection('users').find().sort({ n: 1 }).toArray()).map((u) => u.email);

describe('bulkWrite', () => {
  it('when an ordered bulkWrite hits a duplicate in the middle, then it stops there', async () => {
    const conn = await target.connect('bulk_ordered');
    const User = await userModel(conn);
    const err = await User.bulkWrite([
      { insertOne: { document: { email: 'a', n: 1 } } },
      { insertOne: { document: { email: 'a', n: 2 } } },
      { insertOne: { document: { email: 'c', n: 3 } } },
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(writeErrorsOf(err)).toEqual([{ index: 1, code: 11000 }]);
    expect(await emails(conn)).toEqual(['a']);
  });

  it('when an unordered bulkWrite hits a duplicate in the middle, then the others still apply', async () => {
    const conn = await target.connect('bulk_unordered');
    const User = await userModel(conn);
    const err = await User.bulkWrite(
      [
        { insertOne: { document: { email: 'a', n: 1 } } },
        { insertOne: { document: { email: 'a', n: 2 } } },
        { insertOne: { document: { email: 'c', n: 3 } } },
        { updateOne: { filter: { email: 'd' }, update: { $set: { n: 4 } }, upsert: true } },
      ],
      { ordered: false },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(writeErrorsOf(err)).toEqual([{ index: 1, code: 11000 }]);
    expect(await emails(conn)).toEqual(['a', 'c', 'd']);
  });

  it('when insertMany is unordered with a duplicate, then every other document is inserted', async () => {
    const conn = await target.connect('insert_many');
    const User = await userModel(conn);
    const err = await User.insertMany(
      [
        { email: 'a', n: 1 },
        { email: 'b', n: 2 },
        { email: 'a', n: 3 },
        { email: 'd', n: 4 },
      ],
      { ordered: false },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(writeErrorsOf(err).map((w) => w.code)).toEqual([11000]);
    expect(await emails(conn)).toEqual(['a', 'b', 'd']);
  });

  it('when a bulkWrite mixes updates, upserts and deletes, then the result counts each kind', async () => {
    const conn = await target.connect('bulk_mixed');
    const User = await userModel(conn);
    await User.create([
      { email: 'a', n: 1 },
      { email: 'b', n: 2 },
    ]);
    const res = await User.bulkWrite([
      { updateOne: { filter: { email: 'a' }, update: { $inc: { n: 10 } } } },
      { updateMany: { filter: {}, update: { $inc: { n: 1 } } } },
      { updateOne: { filter: { email: 'z' }, update: { $set: { n: 0 } }, upsert: true } },
      { deleteOne: { filter: { email: 'b' } } },
      { replaceOne: { filter: { email: 'z' }, replacement: { email: 'z', n: 100 } } },
    ]);
    expect(res).toMatchObject({ matchedCount: 4, modifiedCount: 4, upsertedCount: 1, deletedCount: 1 });
    expect(await emails(conn)).toEqual(['a', 'z']);
  });
});
