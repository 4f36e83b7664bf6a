import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose, { Schema } from 'mongoose';
import { mongoTarget } from './mongo-target.js';
import type { MongoTarget } from './mongo-target.js';

const { Decimal128, Long, ObjectId, UUID } = mongoose.mongo.BSON;

let target: MongoTarget;
beforeAll(async () => {
  target = await mongoTarget();
});
afterAll(async () => {
  await target.close();
});

describe('_id types', () => {
  it('when _id is a string, a number, a UUID or an ObjectId, then each is stored and found by value', async () => {
    const conn = await target.connect('ids');
    type AnyId = string | number | InstanceType<typeof ObjectId> | InstanceType<typeof UUID>;
    const coll = conn.collection<{ _id: AnyId; kind: string }>('mixed');
    const oid = new ObjectId();
    const uuid = new UUID();
    await coll.insertMany([
      { _id: 'abc', kind: 'string' },
      { _id: 42, kind: 'number' },
      { _id: uuid, kind: 'uuid' },
      { _id: oid, kind: 'objectid' },
      { _id: '42', kind: 'string42' },
    ]);
    expect((await coll.findOne({ _id: 'abc' }))?.kind).toBe('string');
    expect((await coll.findOne({ _id: 42 }))?.kind).toBe('number');
    expect((await coll.findOne({ _id: '42' }))?.kind).toBe('string42');
    expect((await coll.findOne({ _id: new UUID(uuid.toHexString()) }))?.kind).toBe('uuid');
    expect((await coll.findOne({ _id: new ObjectId(oid.toHexString()) }))?.kind).toBe('objectid');
    expect(await coll.countDocuments({ _id: { $in: [42, 'abc'] } })).toBe(2);
  });

  it('when a mongoose model uses UUID or string ids, then findById and updates work', async () => {
    const conn = await target.connect('model_ids');
    const Job = conn.model('Job', new Schema({ _id: { type: Schema.Types.UUID }, state: String }));
    const Key = conn.model('Key', new Schema({ _id: String, hits: Number }));
    const id = new UUID().toString();
    await Job.create({ _id: id, state: 'queued' });
    await Job.updateOne({ _id: id }, { $set: { state: 'done' } });
    expect((await Job.findById(id))?.state).toBe('done');
    await Key.create({ _id: 'idem-1', hits: 0 });
    await Key.updateOne({ _id: 'idem-1' }, { $inc: { hits: 1 } });
    expect((await Key.findById('idem-1').lean())?.hits).toBe(1);
  });

  it('when a document has no _id, then an ObjectId is generated', async () => {
    const conn = await target.connect('gen_id');
    const coll = conn.collection('auto');
    await coll.insertOne({ a: 1 }, { forceServerObjectId: true });
    const doc = await coll.findOne({ a: 1 });
    expect(doc?._id).toBeInstanceOf(ObjectId);
  });

  it('when Dates, Decimal128 and Longs are stored, then they come back with their value and type', async () => {
    const conn = await target.connect('types');
    const coll = conn.collection('typed');
    const at = new Date('2024-05-06T07:08:09.123Z');
    const big = Long.fromString('9007199254740993');
    await coll.insertOne({
      _id: 'x' as never,
      at,
      price: Decimal128.fromString('19.99'),
      big,
      small: Long.fromNumber(7),
    });
    const doc = await coll.findOne({ at: { $gte: new Date('2024-01-01') } }, { promoteLongs: false });
    expect(doc?.at).toEqual(at);
    expect(doc?.price).toBeInstanceOf(Decimal128);
    expect(String(doc?.price)).toBe('19.99');
    expect(Long.fromValue(doc?.big).toString()).toBe('9007199254740993');
    expect(Long.fromValue(doc?.small).toNumber()).toBe(7);
    expect((await coll.findOne({ price: Decimal128.fromString('19.99') }))?._id).toBe('x');
  });
});
