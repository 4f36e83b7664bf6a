import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Code } from 'bson';
import { Schema } from 'mongoose';
import { mongoTarget } from './mongo-target.js';
import type { MongoTarget } from './mongo-target.js';
import { refusal } from './refusal.js';

/*
 * What mongo-dev cannot do faithfully it refuses, with the code a mongod started
 * without JavaScript (`security.javascriptEnabled: false`) answers, or 115
 * CommandNotSupported. Against a real mongod these cases are skipped: it would
 * evaluate the JavaScript or honour the option.
 */

let target: MongoTarget;
let mongoDev = false;
beforeAll(async () => {
  target = await mongoTarget();
  const conn = await target.connect('probe');
  mongoDev = (await conn.db!.admin().command({ buildInfo: 1 })).gitVersion === 'mongo-dev';
});
beforeEach((ctx) => {
  if (!mongoDev) ctx.skip();
});
afterAll(async () => {
  await target.close();
});

const seeded = async (label: string) => {
  const conn = await target.connect(label);
  const coll = conn.db!.collection('docs');
  await coll.insertMany([{ n: 1 }, { n: 2 }]);
  return { conn, coll };
};

describe('features mongo-dev refuses', () => {
  it('when a query uses $where, then find, distinct, count, update and delete refuse it instead of returning every document', async () => {
    const { coll } = await seeded('where');
    // A function travels as BSON Code, as the driver sends one with serializeFunctions.
    const where = { $where: new Code('function () { return this.n === 1; }') } as unknown as { $where: string };
    const find = await refusal(coll.find(where).toArray());
    expect(find).toMatchObject({ code: 6108304, codeName: 'Location6108304' });
    expect(find.message).toContain('no globalScriptEngine in $where parsing');
    expect((await refusal(coll.distinct('n', { $or: [{ n: 5 }, where] }))).code).toBe(6108304);
    // countDocuments is an aggregation: there mongod refuses $where whether or not it has JavaScript.
    expect(await refusal(coll.countDocuments(where))).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect((await refusal(coll.deleteMany(where))).code).toBe(6108304);
    expect((await refusal(coll.updateMany(where, { $set: { x: 1 } }))).code).toBe(6108304);
    expect(await coll.countDocuments()).toBe(2);
  });

  it('when mongoose queries with $where, then the query fails instead of matching everything', async () => {
    const conn = await target.connect('where_mongoose');
    const Item = conn.model('Item', new Schema({ n: Number }));
    await Item.create([{ n: 1 }, { n: 2 }]);
    const err = await refusal(Item.find({ $where: 'this.n === 1' }).exec());
    expect(err.code).toBe(6108304);
  });

  it('when an aggregation uses $where, $function or $accumulator, then it is refused', async () => {
    const { coll } = await seeded('agg_js');
    const where = await refusal(coll.aggregate([{ $match: { $where: 'true' } }]).toArray());
    expect(where).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(where.message).toContain('$where is not allowed in this context');
    const fn = await refusal(
      coll
        .aggregate([
          { $addFields: { m: { $function: { body: 'function (n) { return n * 2; }', args: ['$n'], lang: 'js' } } } },
        ])
        .toArray(),
    );
    expect(fn).toMatchObject({ code: 31264, codeName: 'Location31264' });
    expect(fn.message).toContain('Cannot run server-side javascript without the javascript engine enabled');
    const acc = await refusal(
      coll
        .aggregate([
          {
            $group: {
              _id: null,
              s: {
                $accumulator: {
                  init: 'function () { return 0; }',
                  accumulate: 'function (s, n) { return s + n; }',
                  accumulateArgs: ['$n'],
                  merge: 'function (a, b) { return a + b; }',
                  lang: 'js',
                },
              },
            },
          },
        ])
        .toArray(),
    );
    expect(acc.code).toBe(31264);
    const expr = await refusal(
      coll.find({ $expr: { $function: { body: 'function () { return true; }', args: [], lang: 'js' } } }).toArray(),
    );
    expect(expr.code).toBe(31264);
  });

  it('when mapReduce is sent, then it fails with 115 CommandNotSupported', async () => {
    const { conn } = await seeded('map_reduce');
    const err = await refusal(
      conn.db!.command({
        mapReduce: 'docs',
        map: 'function () { emit(1, 1); }',
        reduce: 'function () {}',
        out: { inline: 1 },
      }),
    );
    expect(err).toMatchObject({ code: 115, codeName: 'CommandNotSupported' });
  });

  it('when a collation other than simple is asked for, then it is refused instead of ignored', async () => {
    const { conn, coll } = await seeded('collation');
    const collation = { locale: 'en', strength: 2 };
    expect((await refusal(coll.find({ n: 1 }, { collation }).toArray())).code).toBe(115);
    expect((await refusal(coll.updateOne({ n: 1 }, { $set: { x: 1 } }, { collation }))).code).toBe(115);
    expect((await refusal(coll.createIndex({ s: 1 }, { collation }))).code).toBe(115);
    expect((await refusal(conn.db!.createCollection('ci', { collation }))).code).toBe(115);
    expect(await coll.find({ n: 1 }, { collation: { locale: 'simple' } }).toArray()).toHaveLength(1);
  });

  it('when a capped collection, a view or a validator is created, then it fails with 115 CommandNotSupported', async () => {
    const { conn } = await seeded('create_options');
    const db = conn.db!;
    expect((await refusal(db.createCollection('capped', { capped: true, size: 4096 }))).code).toBe(115);
    expect((await refusal(db.createCollection('view', { viewOn: 'docs', pipeline: [] }))).code).toBe(115);
    expect((await refusal(db.createCollection('valid', { validator: { n: { $type: 'int' } } }))).code).toBe(115);
    expect((await refusal(db.createCollection('ts', { timeseries: { timeField: 't' } }))).code).toBe(115);
    await db.createCollection('plain');
    expect((await db.listCollections({ name: 'plain' }).toArray()).length).toBe(1);
  });

  it('when an index type other than ascending or descending is asked for, then it fails with 115', async () => {
    const { coll } = await seeded('index_types');
    for (const key of [{ s: 'text' }, { loc: '2dsphere' }, { h: 'hashed' }, { '$**': 1 }] as const) {
      expect((await refusal(coll.createIndex(key as never))).code, JSON.stringify(key)).toBe(115);
    }
  });
});
