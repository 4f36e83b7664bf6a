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

const duplicateOf = async (p: Promise<unknown>): Promise<Record<string, unknown>> => {
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as Record<string, unknown> | undefined;
  expect(err, 'expected an E11000 error').toBeDefined();
  expect(err?.code).toBe(11000);
  return err as Record<string, unknown>;
};

describe('unique indexes', () => {
  it('when a second document repeats a unique field, then insert fails with E11000, keyPattern and keyValue', async () => {
    const conn = await target.connect('unique');
    const User = conn.model('User', new Schema({ email: { type: String, unique: true } }), 'users');
    await User.init();
    await User.create({ email: 'a@x.io' });
    const err = await duplicateOf(User.create({ email: 'a@x.io' }));
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'a@x.io' });
    expect(String(err.message)).toMatch(
      /E11000 duplicate key error collection: \S+\.users index: email_1 dup key: \{ email: "a@x\.io" \}/,
    );
    expect(await User.countDocuments()).toBe(1);
  });

  it('when a compound unique key repeats, then only the full repeat is refused', async () => {
    const conn = await target.connect('compound');
    const schema = new Schema({ tenant: String, key: String });
    schema.index({ tenant: 1, key: 1 }, { unique: true });
    const Item = conn.model('Item', schema);
    await Item.init();
    await Item.create([
      { tenant: 't1', key: 'k' },
      { tenant: 't2', key: 'k' },
    ]);
    const err = await duplicateOf(Item.create({ tenant: 't1', key: 'k' }));
    expect(err.keyPattern).toEqual({ tenant: 1, key: 1 });
    expect(err.keyValue).toEqual({ tenant: 't1', key: 'k' });
  });

  it('when a unique index is sparse, then many documents may lack the field but present values stay unique', async () => {
    const conn = await target.connect('sparse');
    const Acct = conn.model('Acct', new Schema({ name: String, handle: { type: String, unique: true, sparse: true } }));
    await Acct.init();
    await Acct.create([{ name: 'a' }, { name: 'b' }, { name: 'c', handle: 'h' }]);
    await duplicateOf(Acct.create({ name: 'd', handle: 'h' }));
    expect(await Acct.countDocuments()).toBe(3);
  });

  it('when a unique index is partial, then only documents matching its filter are constrained', async () => {
    const conn = await target.connect('partial');
    const schema = new Schema({ key: String, active: Boolean });
    schema.index({ key: 1 }, { unique: true, partialFilterExpression: { active: true } });
    const Lease = conn.model('Lease', schema);
    await Lease.init();
    await Lease.create([
      { key: 'k', active: false },
      { key: 'k', active: false },
      { key: 'k', active: true },
    ]);
    const err = await duplicateOf(Lease.create({ key: 'k', active: true }));
    expect(err.keyValue).toEqual({ key: 'k' });
  });

  it('when an update or an upsert would repeat a unique value, then it fails with E11000 and changes nothing', async () => {
    const conn = await target.connect('update_dup');
    const User = conn.model('User', new Schema({ email: { type: String, unique: true }, n: Number }));
    await User.init();
    await User.create([
      { email: 'a', n: 1 },
      { email: 'b', n: 2 },
    ]);
    await duplicateOf(User.updateOne({ email: 'b' }, { $set: { email: 'a' } }));
    await duplicateOf(
      User.findOneAndUpdate({ n: 9 }, { $set: { email: 'a' } }, { upsert: true, returnDocument: 'after' }),
    );
    await duplicateOf(User.updateOne({ n: 10 }, { $set: { email: 'b' } }, { upsert: true }));
    expect((await User.find().sort({ n: 1 }).lean()).map((u) => u.email)).toEqual(['a', 'b']);
  });

  it('when the same _id is inserted twice, then the _id_ index refuses it', async () => {
    const conn = await target.connect('dup_id');
    const Thing = conn.model('Thing', new Schema({ _id: String }));
    await Thing.create({ _id: 'x' });
    const err = await duplicateOf(Thing.create({ _id: 'x' }));
    expect(err.keyPattern).toEqual({ _id: 1 });
    expect(err.keyValue).toEqual({ _id: 'x' });
  });
});
