import fc from 'fast-check';
import type { Document } from 'bson';
import { Query } from 'mingo';
import { update as mingoUpdate, type Modifier } from 'mingo/updater';
import { describe, expect, it } from 'vitest';
import { cloneDoc } from '../src/canonical.js';
import { applySimpleUpdate, simpleMatcher, simpleSort } from '../src/fast-path.js';

const field = fc.constantFrom('a', 'b', 'c', 'version');
const scalar = fc.oneof(fc.constantFrom(null, true, false, 0, 1, 2, 'x', 'y'), fc.integer({ min: -3, max: 3 }));
const stored = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.constant({ nested: 1 }));
const doc = fc.dictionary(field, stored, { maxKeys: 4 }).map((d) => ({ _id: 'k', ...d }));

describe('fast path', () => {
  it('when a filter is equality on top-level fields, then it matches exactly the documents mingo matches', () => {
    fc.assert(
      fc.property(doc, fc.dictionary(fc.oneof(field, fc.constant('_id')), scalar, { maxKeys: 3 }), (d, filter) => {
        const fast = simpleMatcher(filter);
        expect(fast).toBeDefined();
        expect(fast!(d)).toBe(new Query(filter, {}).test(d));
      }),
      { numRuns: 2_000 },
    );
  });

  it('when a filter combines ranges, $in, $ne, $exists, $and and $or, then it matches exactly what mingo matches', () => {
    const date = fc.integer({ min: 0, max: 4 }).map((n) => new Date(Date.UTC(2026, 0, 1 + n)));
    const value = fc.oneof(scalar, date, fc.array(fc.oneof(scalar, date), { maxLength: 3 }), fc.constant(undefined));
    const mixedDoc = fc.dictionary(field, value, { maxKeys: 4 }).map((d) => {
      const out: Document = { _id: 'k' };
      for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v;
      return out;
    });
    const bound = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y'), date);
    const operators = {
      $lt: bound,
      $lte: bound,
      $gt: bound,
      $gte: bound,
      $eq: scalar,
      $ne: scalar,
      $in: fc.array(scalar, { maxLength: 3 }),
      $exists: fc.boolean(),
    };
    const oneOperator = fc.oneof(
      ...Object.entries(operators).map(([op, arg]) => (arg as fc.Arbitrary<unknown>).map((v) => ({ [op]: v }))),
    );
    const twoOperators = fc.tuple(oneOperator, oneOperator).map(([a, b]) => ({ ...a, ...b }));
    const condition = fc.oneof(scalar, oneOperator, oneOperator, twoOperators);
    // As BSON decodes them: plain objects (fast-check's dictionaries have no prototype).
    const leaf = fc.dictionary(field, condition, { minKeys: 1, maxKeys: 2 }).map((d) => ({ ...d }));
    const filter = fc.oneof(
      leaf,
      fc.record({ $or: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
      fc.record({ $and: fc.array(leaf, { minLength: 1, maxLength: 2 }), c: scalar }),
    );
    fc.assert(
      fc.property(mixedDoc, filter, (d, f) => {
        const fast = simpleMatcher(f as Document);
        expect(fast).toBeDefined();
        expect(fast!(d)).toBe(new Query(f as Document, {}).test(d));
      }),
      { numRuns: 5_000 },
    );
  });

  it("when a sort is on top-level fields of nulls, numbers, strings, booleans and dates, then the order is mingo's", () => {
    const date = fc.integer({ min: 0, max: 3 }).map((n) => new Date(Date.UTC(2026, 0, 1 + n)));
    const sortable = fc.oneof(
      fc.constantFrom(null, true, false, 'x', 'y', 0, 1, 2.5, -1),
      date,
      fc.constant(undefined),
    );
    const docs = fc
      .array(fc.record({ a: sortable, b: sortable }, { requiredKeys: [] }), { maxLength: 12 })
      .map((list) =>
        list.map((d, i) => {
          const out: Document = { _id: i };
          for (const [k, v] of Object.entries(d)) if (v !== undefined) out[k] = v;
          return out;
        }),
      );
    const sort = fc.oneof(fc.constantFrom({ a: 1 }, { a: -1 }, { b: 1, a: -1 }, { a: 1, b: 1 }));
    fc.assert(
      fc.property(docs, sort, (list, spec) => {
        const fast = simpleSort(list, spec);
        expect(fast).toBeDefined();
        // Ties may come in either order: compare the sequence of sort keys, not the ids.
        const keysOf = (sorted: Document[]) => sorted.map((d) => Object.keys(spec).map((k) => d[k] ?? null));
        expect(keysOf(fast!)).toEqual(
          keysOf(
            new Query({}, {})
              .find(list)
              .sort(spec as never)
              .all() as Document[],
          ),
        );
      }),
      { numRuns: 3_000 },
    );
    expect(simpleSort([{ _id: 1, a: [1] }], { a: 1 })).toBeUndefined();
    expect(simpleSort([{ _id: 1, a: { b: 1 } }], { a: 1 })).toBeUndefined();
  });

  it('when a filter has dotted paths, object or array values, regexes or other operators, then it is left to mingo', () => {
    for (const filter of [
      { 'a.b': 1 },
      { a: { b: 1 } },
      { a: [1] },
      { a: /x/ },
      { a: { $regex: 'x' } },
      { $expr: { $lt: ['$a', '$b'] } },
      { a: { $lt: [1] } },
      { $or: [] },
      { a: {} },
    ]) {
      expect(simpleMatcher(filter as Document)).toBeUndefined();
    }
  });

  it("when an update is $set, $inc and $unset of top-level fields, then the result equals mingo's", () => {
    const numeric = fc
      .dictionary(field, fc.integer({ min: -5, max: 5 }), { maxKeys: 3 })
      .map((d) => ({ _id: 'k', ...d }));
    const ops = fc.record(
      {
        $set: fc.dictionary(field, fc.oneof(scalar, fc.constant({ deep: [1, { x: 2 }] })), { maxKeys: 2 }),
        $inc: fc.dictionary(field, fc.integer({ min: -3, max: 3 }), { maxKeys: 2 }),
        $unset: fc.dictionary(field, fc.constant(''), { maxKeys: 1 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(numeric, ops, (d, u) => {
        const fast = cloneDoc(d) as Document;
        const expected = cloneDoc(d) as Document;
        let mingoError: unknown;
        try {
          mingoUpdate(expected, u as Modifier<Document>);
        } catch (err) {
          mingoError = err;
        }
        const applied = applySimpleUpdate(fast, u);
        if (!applied) {
          expect(fast).toEqual(d); // declined: untouched, mingo decides
          return;
        }
        expect(mingoError).toBeUndefined();
        expect(fast).toEqual(expected);
        expect(Object.keys(fast)).toEqual(Object.keys(expected)); // new fields go last, as in mongod
      }),
      { numRuns: 2_000 },
    );
  });

  it('when $set stores an object, then later changes to the command do not reach the stored document', () => {
    const value = { deep: { list: [1] } };
    const out: Document = { _id: 1 };
    expect(applySimpleUpdate(out, { $set: { v: value } })).toBe(true);
    value.deep.list.push(2);
    expect(out.v).toEqual({ deep: { list: [1] } });
  });
});
