import fc from 'fast-check';
import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { Collection } from '../src/collection.js';
import { planQuery } from '../src/query-plan.js';
import { select, type SelectOptions } from '../src/query-exec.js';
import { OrderedIndex } from '../src/ordered-index.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));
const status = fc.constantFrom('polling', 'done', 'failed');
const when = fc.oneof(fc.integer({ min: 0, max: 6 }).map(day), fc.constant(null), fc.constant(undefined));
const rank = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom('x', 'y'), fc.constant(undefined));

/** Documents of the poller's shape; undefined fields are left out (missing). */
const docOf = (id: number, fields: Record<string, unknown>): Document => {
  const out: Document = { _id: `g-${id}` };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
};

const insert = fc.record({ op: fc.constant('insert' as const), status, next: when, rank });
const writes = fc.array(
  fc.oneof(
    insert,
    insert,
    insert,
    fc.record({ op: fc.constant('update' as const), pick: fc.nat(), status, next: when }),
    fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
  ),
  { maxLength: 60 },
);

const bound = fc.oneof(fc.integer({ min: 0, max: 6 }).map(day), fc.integer({ min: -2, max: 2 }), fc.constant('x'));
const rangeOps = fc.oneof(
  bound.map((v) => ({ $lte: v })),
  bound.map((v) => ({ $lt: v })),
  bound.map((v) => ({ $gte: v })),
  fc.tuple(bound, bound).map(([a, b]) => ({ $gt: a, $lte: b })),
);
// Mostly the shapes an index serves (a pinned status, a range on next, a sort on next
// with a limit), with enough of the others to show that plans never change answers.
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 4, nil: undefined });
const filter = fc
  .record({
    status: maybe(
      fc.oneof(
        status,
        status,
        status.map((s) => ({ $eq: s })),
        fc.constant({ $ne: 'done' }),
      ),
    ),
    next: maybe(rangeOps),
    rank: fc.option(fc.oneof(fc.integer({ min: -2, max: 2 }), rangeOps, fc.constantFrom({ $in: [1, 'x'] })), {
      freq: 2,
      nil: undefined,
    }),
    $or: fc.option(fc.constant([{ rank: null }, { rank: { $gte: 0 } }]), { freq: 2, nil: undefined }),
  })
  .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as Document);
const options = fc
  .record({
    sort: maybe(
      fc.constantFrom(
        { next: 1 },
        { next: 1 },
        { next: -1 },
        { status: 1, next: 1 },
        { rank: 1 },
        { next: 1, rank: 1 },
        { $natural: -1 },
      ),
    ),
    limit: maybe(fc.integer({ min: -3, max: 5 })),
    skip: fc.option(fc.integer({ min: 0, max: 3 }), { freq: 2, nil: undefined }),
  })
  .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as SelectOptions);

describe('ordered indexes', () => {
  it('when queries go through ordered indexes, then they return exactly what a scan of the collection returns, in the same order', () => {
    const poller = { key: { status: 1, next: 1 }, name: 'status_1_next_1' };
    const indexSets = fc
      .subarray([
        { key: { status: 1, next: -1 }, name: 'status_1_next_-1' },
        { key: { rank: 1 }, name: 'rank_1' },
        { key: { next: 1 }, name: 'next_1' },
      ])
      .chain((others) => fc.constantFrom([poller, ...others], others));
    fc.assert(
      fc.property(
        indexSets,
        writes,
        fc.boolean(),
        fc.array(fc.tuple(filter, options), { minLength: 1, maxLength: 5 }),
        (indexes, ops, indexFirst, queries) => {
          const coll = new Collection('db', 'gens', () => {});
          if (indexFirst) for (const spec of indexes) coll.createIndex(spec);
          let id = 0;
          for (const w of ops) {
            const stored = coll.all();
            if (w.op === 'insert') coll.insert(docOf(id++, { status: w.status, next: w.next, rank: w.rank }));
            else if (stored.length === 0) continue;
            else if (w.op === 'update') {
              const before = stored[w.pick % stored.length]!;
              coll.replace(
                before,
                docOf(Number(String(before._id).slice(2)), {
                  ...before,
                  _id: undefined,
                  status: w.status,
                  next: w.next,
                }),
              );
            } else coll.remove(stored[w.pick % stored.length]!);
          }
          if (!indexFirst) for (const spec of indexes) coll.createIndex(spec);
          for (const [f, o] of queries) {
            expect(coll.query(f, o).map((d) => d._id)).toEqual(select(coll.all(), f, o).map((d) => d._id));
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('when a filter pins the leading field and ranges the next, and the sort follows the index, then the plan reads that slice in order', () => {
    const index = new OrderedIndex({ v: 2, key: { status: 1, next_poll_at: 1 }, name: 'status_1_next_poll_at_1' });
    const now = day(3);
    const claim = {
      status: 'polling',
      next_poll_at: { $lte: now },
      $or: [{ lease_until: null }, { lease_until: { $lte: now } }],
    };
    expect(planQuery([index], claim, { next_poll_at: 1 }, true)).toEqual({
      index,
      bounds: { equal: ['polling'], range: { max: now } },
      inSortOrder: true,
    });
    // A sort against the index's direction, or on another field, is not served by it; nothing pinned, no plan.
    expect(planQuery([index], claim, { next_poll_at: -1 }, true)?.inSortOrder).toBe(false);
    expect(planQuery([index], { next_poll_at: { $lte: now } }, undefined, false)).toBeUndefined();
    expect(planQuery([index], { status: { $in: ['polling'] } }, undefined, false)).toBeUndefined();
    // A sort in index order with nothing pinned is worth it only when a limit stops the read.
    expect(planQuery([index], {}, { status: 1, next_poll_at: 1 }, false)).toBeUndefined();
    expect(planQuery([index], {}, { status: 1, next_poll_at: 1 }, true)?.inSortOrder).toBe(true);

    for (let i = 0; i < 1_000; i++) {
      index.add({ status: i % 4 === 0 ? 'done' : 'polling', next_poll_at: day(i % 7) }, i, `g-${i}`);
    }
    const slice = [...index.scan({ equal: ['polling'], range: { max: day(1) } })];
    // Exactly the polling documents due by day 1 (i % 7 ∈ {0, 1}, i % 4 ≠ 0), oldest first.
    const expected = Array.from({ length: 1_000 }, (_, i) => i).filter((i) => i % 4 !== 0 && i % 7 <= 1);
    expect(slice.map((e) => e.id).sort()).toEqual(expected.map((i) => `g-${i}`).sort());
    expect(slice.every((e) => e.values[0] === 'polling' && (e.values[1] as Date) <= day(1))).toBe(true);
    expect(slice.map((e) => (e.values[1] as Date).getTime())).toEqual(
      slice.map((e) => (e.values[1] as Date).getTime()).sort((a, b) => a - b),
    );
  });

  it('when a document holds an array, an object, an ObjectId or an invalid date in an indexed field, then the index retires and queries scan, with the same answers', () => {
    const coll = new Collection('db', 'mixed', () => {});
    coll.createIndex({ key: { tag: 1 }, name: 'tag_1' });
    for (let i = 0; i < 20; i++) coll.insert({ _id: i, tag: `t-${i % 3}` });
    expect(
      planQuery([new OrderedIndex({ v: 2, key: { tag: 1 }, name: 'tag_1' })], { tag: 't-1' }, undefined, false),
    ).toBeDefined();
    const nan = new OrderedIndex({ v: 2, key: { n: 1 }, name: 'n_1' });
    nan.add({ n: new Date(Number.NaN) }, 0, 'bad-date');
    expect(nan.usable).toBe(false);
    coll.insert({ _id: 'arr', tag: ['t-1', 't-2'] });
    const ids = coll.query({ tag: 't-1' }).map((d) => d._id);
    expect(ids).toEqual([1, 4, 7, 10, 13, 16, 19, 'arr']);
    expect(ids).toEqual(select(coll.all(), { tag: 't-1' }).map((d) => d._id));
  });
});
