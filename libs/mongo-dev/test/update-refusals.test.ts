import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from 'mongoose';
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

// biome-ignore lint/suspicious/noExplicitAny: documents of any shape, as the plain driver takes them
type Loose = any;

const collection = async (label: string) => {
  const conn = await target.connect(label);
  const coll = conn.db!.collection<Loose>('docs');
  await coll.insertOne({ _id: 1, s: 'text', n: 5, p: 3, list: [1, 2], sub: { a: 1 } });
  return coll;
};

describe('updates mongod refuses', () => {
  it('when an upsert names a field in both $set and $setOnInsert, then it fails with 40 and inserts nothing', async () => {
    const coll = await collection('set_soi');
    const err = await refusal(coll.updateOne({ _id: 2 }, { $set: { a: 1 }, $setOnInsert: { a: 2 } }, { upsert: true }));
    expect(err).toMatchObject({ code: 40, codeName: 'ConflictingUpdateOperators' });
    expect(err.message).toContain("Updating the path 'a' would create a conflict at 'a'");
    expect(await coll.countDocuments()).toBe(1);
    // On a matching document too: the update is refused when parsed, not when applied.
    expect((await refusal(coll.updateOne({ _id: 1 }, { $set: { s: 'x' }, $setOnInsert: { s: 'y' } }))).code).toBe(40);
    expect(await coll.findOne({ _id: 1 })).toMatchObject({ s: 'text' });
  });

  it('when findOneAndUpdate through mongoose repeats a field in $set and $setOnInsert, then it fails with 40', async () => {
    const conn = await target.connect('set_soi_mongoose');
    const Counter = conn.model('Counter', new Schema({ key: String, owner: String }));
    const err = await refusal(
      Counter.findOneAndUpdate(
        { key: 'k' },
        { $set: { owner: 'a' }, $setOnInsert: { owner: 'b' } },
        { upsert: true, returnDocument: 'after' },
      ).exec(),
    );
    expect(err).toMatchObject({ code: 40, codeName: 'ConflictingUpdateOperators' });
    expect(await Counter.countDocuments()).toBe(0);
  });

  it('when one update sets a path and a path under it, then it fails with 40 naming the conflict', async () => {
    const coll = await collection('prefix');
    const err = await refusal(coll.updateOne({ _id: 1 }, { $set: { p: 1, 'p.q': 2 } }));
    expect(err).toMatchObject({ code: 40, codeName: 'ConflictingUpdateOperators' });
    expect(err.message).toContain("Updating the path 'p.q' would create a conflict at 'p'");
    expect((await refusal(coll.updateOne({ _id: 1 }, { $inc: { n: 1 }, $set: { n: 2 } }))).code).toBe(40);
  });

  it('when $inc targets a string, then it fails with 14 TypeMismatch and the document is unchanged', async () => {
    const coll = await collection('inc_string');
    const err = await refusal(coll.updateOne({ _id: 1 }, { $inc: { s: 1 } }));
    expect(err).toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    expect(err.message).toContain(
      "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 's' of non-numeric type string",
    );
    const fam = await refusal(coll.findOneAndUpdate({ _id: 1 }, { $inc: { s: 1 } }));
    expect(fam).toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    const arg = await refusal(coll.updateOne({ _id: 1 }, { $inc: { n: 'one' } } as never));
    expect(arg).toMatchObject({ code: 14, codeName: 'TypeMismatch' });
    expect(arg.message).toContain('Cannot increment with non-numeric argument');
    expect(await coll.findOne({ _id: 1 })).toMatchObject({ s: 'text', n: 5 });
  });

  it('when $push targets a non-array, then it fails with 2 BadValue naming the field and its type', async () => {
    const coll = await collection('push_scalar');
    const err = await refusal(coll.updateOne({ _id: 1 }, { $push: { p: 4 } } as never));
    expect(err).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(err.message).toContain("The field 'p' must be an array but is of type int in document {_id: 1}");
    expect((await refusal(coll.updateOne({ _id: 1 }, { $addToSet: { s: 'x' } }))).code).toBe(2);
    expect(await coll.findOne({ _id: 1 })).toMatchObject({ p: 3, s: 'text' });
  });

  it('when $set goes through a number or an array, then it fails with 28 PathNotViable', async () => {
    const coll = await collection('not_viable');
    const err = await refusal(coll.updateOne({ _id: 1 }, { $set: { 'n.deep': 1 } }));
    expect(err).toMatchObject({ code: 28, codeName: 'PathNotViable' });
    expect(err.message).toContain("Cannot create field 'deep' in element {n: 5}");
    expect((await refusal(coll.updateOne({ _id: 1 }, { $set: { 'list.x': 1 } }))).code).toBe(28);
    // Creatable paths still work: a new sub-document, an array element by index.
    await coll.updateOne({ _id: 1 }, { $set: { 'fresh.deep': 1, 'list.1': 9, 'sub.b': 2 } });
    expect(await coll.findOne({ _id: 1 })).toMatchObject({
      n: 5,
      fresh: { deep: 1 },
      list: [1, 9],
      sub: { a: 1, b: 2 },
    });
  });
});

describe('documents over 16 MiB', () => {
  const big = 'x'.repeat(16 * 1024 * 1024);

  it('when an insert is over 16 MiB, then it fails with 2 and nothing is stored', async () => {
    const coll = await collection('big_insert');
    const err = await refusal(coll.insertOne({ _id: 2, big }));
    expect(err).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(err.message).toContain('object to insert too large');
    expect(await coll.countDocuments()).toBe(1);
  });

  it('when an update grows a document past 16 MiB, then it fails with 17419 and the document is unchanged', async () => {
    const coll = await collection('big_update');
    const half = 'y'.repeat(9 * 1024 * 1024);
    await coll.updateOne({ _id: 1 }, { $set: { half } });
    const err = await refusal(coll.updateOne({ _id: 1 }, { $set: { other: half } }));
    expect(err).toMatchObject({ code: 17419, codeName: 'Location17419' });
    expect(err.message).toContain('Resulting document after update is larger than 16777216');
    const stored = await coll.findOne({ _id: 1 }, { projection: { other: 1 } });
    expect(stored).not.toHaveProperty('other');
    const upsert = await refusal(coll.updateOne({ _id: 3 }, { $set: { big } }, { upsert: true }));
    expect(upsert).toMatchObject({ code: 17420, codeName: 'Location17420' });
    expect(await coll.countDocuments()).toBe(1);
  });
});
