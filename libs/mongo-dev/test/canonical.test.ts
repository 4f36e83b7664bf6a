import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EJSON, ObjectId } from 'bson';
import { keyOf, sameValue } from '../src/canonical.js';

// What both functions must agree with: the value as canonical EJSON writes it.
const ejson = (value: unknown): string => EJSON.stringify({ v: value }, { relaxed: false });

// Small domains, so that random pairs are often equal, or equal but for one detail.
const OIDS = [new ObjectId('65f000000000000000000001'), new ObjectId('65f000000000000000000002')];
const scalar = fc.oneof(
  fc.constantFrom('a', 'b', '1', ''),
  fc.constantFrom(0, -0, 1, 1.5, 2 ** 31, Number.NaN),
  fc.constantFrom(true, false, null),
  fc.constantFrom(0, 1).map((i) => new Date(1_700_000_000_000 + i)),
  fc.constantFrom(0, 1).map((i) => OIDS[i]!),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 2 }),
  object: fc
    .array(fc.tuple(fc.constantFrom('x', 'y'), fc.oneof(tie('value'), fc.constant(undefined))), { maxLength: 2 })
    // As BSON decodes them: plain objects, keys in the order given.
    .map((entries) => {
      const doc: Record<string, unknown> = {};
      for (const [k, v] of entries) doc[k] = v;
      return doc;
    }),
}));

describe('canonical values', () => {
  it('when two values are compared, then sameValue agrees with their canonical EJSON', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameValue(a, b)).toBe(ejson(a) === ejson(b));
        expect(sameValue(a, structuredCopy(a))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('when two values are keyed, then their keys are equal exactly when their canonical EJSON is', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(keyOf(a) === keyOf(b)).toBe(ejson(a) === ejson(b));
      }),
      { numRuns: 5_000 },
    );
  });

  it('when the usual keys are made, then a string, a tuple of strings and an ObjectId take the short forms and never meet the number or the EJSON forms', () => {
    expect(keyOf('1')).not.toBe(keyOf(1));
    expect(keyOf(['1'])).not.toBe(keyOf([1]));
    expect(keyOf(['a', 'b'])).not.toBe(keyOf(['a,b']));
    expect(keyOf(OIDS[0])).not.toBe(keyOf(OIDS[0]!.toHexString()));
    expect(keyOf(OIDS[0])).toBe(keyOf(new ObjectId(OIDS[0]!.toHexString())));
    for (const short of [keyOf('x'), keyOf(['x']), keyOf(OIDS[0])]) expect(short.startsWith('{')).toBe(false);
    expect(keyOf(1).startsWith('{')).toBe(true);
  });

  it('when a document differs only in field order, a -0, or undefined for null, then sameValue says what EJSON says', () => {
    expect(sameValue({ x: 1, y: 2 }, { y: 2, x: 1 })).toBe(false);
    expect(sameValue({ x: 0 }, { x: -0 })).toBe(false);
    expect(sameValue({ x: 1, y: undefined }, { x: 1, y: null })).toBe(true);
    expect(sameValue({ x: 1, y: undefined }, { x: 1 })).toBe(false);
    expect(sameValue([undefined], [null])).toBe(true);
    expect(sameValue({ d: new Date(5) }, { d: new Date(5) })).toBe(true);
    expect(sameValue({ d: new Date(5) }, { d: 5 })).toBe(false);
  });
});

/** A deep copy with new objects throughout (dates and ObjectIds too). */
function structuredCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(structuredCopy);
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof ObjectId) return new ObjectId(v.toHexString());
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = structuredCopy(x);
    return out;
  }
  return v;
}
