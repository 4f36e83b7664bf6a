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

describe('concurrency', () => {
  it('when 200 parallel requests $inc one counter, then the total is exact', async () => {
    const conn = await target.connect('inc');
    const Counter = conn.model('Counter', new Schema({ _id: String, n: Number }));
    await Counter.create({ _id: 'c', n: 0 });
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2
          ? Counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } })
          : Counter.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
      ),
    );
    expect((await Counter.findById('c').lean())?.n).toBe(200);
  });

  it('when 50 parallel conditional $inc race for 7 slots, then exactly 7 win and the limit holds', async () => {
    const conn = await target.connect('slots');
    const Account = conn.model('Account', new Schema({ _id: String, in_flight: Number }));
    await Account.create({ _id: 'acct', in_flight: 0 });
    const max = 7;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        Account.updateOne({ _id: 'acct', in_flight: { $lt: max } }, { $inc: { in_flight: 1 } }),
      ),
    );
    expect(results.filter((r) => r.modifiedCount === 1)).toHaveLength(max);
    expect((await Account.findById('acct').lean())?.in_flight).toBe(max);
  });
});
