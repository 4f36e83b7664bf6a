import type { Document } from 'bson';
import { cloneDoc, isPlainObject } from './canonical.js';

/**
 * Shortcuts for the shapes that carry nearly all of a service's traffic: filters on
 * top-level fields with equality, range, `$in`, `$ne`, `$exists`, `$and` and `$or`
 * (`{ _id, version }`, `{ status, next_poll_at: { $lte } , $or: [...] }`), and `$set` /
 * `$inc` / `$unset` of top-level fields. mingo handles everything else. They exist
 * because building a mingo Query or update copies its whole operator table, and a
 * scan tests every document: both cost more than the command. Each returns undefined
 * (or false) when the shape is not its own.
 */

type Scalar = string | number | boolean | null;

const isScalar = (v: unknown): v is Scalar =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

const isTopLevelField = (key: string): boolean => key.length > 0 && key[0] !== '$' && !key.includes('.');

/** `{field: null}` also matches a missing field, and a scalar matches an array holding it, as in mongod. */
const equals = (stored: unknown, wanted: Scalar): boolean =>
  wanted === null ? stored === null || stored === undefined : stored === wanted;

type Matcher = (doc: Document) => boolean;
type ValueTest = (stored: unknown) => boolean;

/** A value and its elements, as a query on an array field sees them. */
const anyOf = (stored: unknown, test: ValueTest): boolean =>
  test(stored) || (Array.isArray(stored) && stored.some(test));

/**
 * Ranges compare within one type only, as mongod's type brackets do: a Date bound
 * matches Dates, a number numbers, a string strings (binary order).
 */
type Bound = number | string | Date;
const isBound = (v: unknown): v is Bound =>
  typeof v === 'string' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (v instanceof Date && !Number.isNaN(v.getTime()));
const comparable = (stored: unknown, bound: Bound): number | undefined => {
  if (bound instanceof Date) return stored instanceof Date ? stored.getTime() - bound.getTime() : undefined;
  if (typeof bound === 'number')
    return typeof stored === 'number' && !Number.isNaN(stored) ? stored - bound : undefined;
  return typeof stored === 'string' ? (stored < bound ? -1 : stored > bound ? 1 : 0) : undefined;
};
const RANGE: Record<string, (c: number) => boolean> = {
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
};

/** One field's condition: a scalar, or an object of the operators below; undefined for anything else. */
function fieldTest(condition: unknown): ValueTest | undefined {
  if (isScalar(condition)) return (stored) => anyOf(stored, (v) => equals(v, condition));
  if (!isPlainObject(condition)) return undefined;
  const ops = Object.entries(condition);
  if (ops.length === 0) return undefined;
  const tests: ValueTest[] = [];
  for (const [op, arg] of ops) {
    if (op in RANGE && isBound(arg)) {
      const holds = RANGE[op]!;
      tests.push((stored) =>
        anyOf(stored, (v) => {
          const c = comparable(v, arg);
          return c !== undefined && holds(c);
        }),
      );
    } else if (op === '$eq' && isScalar(arg)) {
      tests.push((stored) => anyOf(stored, (v) => equals(v, arg)));
    } else if (op === '$ne' && isScalar(arg)) {
      tests.push((stored) => !anyOf(stored, (v) => equals(v, arg)));
    } else if (op === '$in' && Array.isArray(arg) && arg.every(isScalar)) {
      tests.push((stored) => anyOf(stored, (v) => arg.some((w: Scalar) => equals(v, w))));
    } else if (op === '$exists' && typeof arg === 'boolean') {
      tests.push((stored) => (stored !== undefined) === arg);
    } else {
      return undefined;
    }
  }
  return (stored) => tests.every((t) => t(stored));
}

/**
 * A matcher for filters made of top-level fields with scalar or operator conditions
 * (`$eq $ne $in $lt $lte $gt $gte $exists`) combined by `$and` / `$or`; undefined
 * for any other shape, which mingo then answers.
 */
export function simpleMatcher(filter: Document | undefined): Matcher | undefined {
  const parts: Matcher[] = [];
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) return undefined;
      const branches = value.map((f) => (isPlainObject(f) ? simpleMatcher(f) : undefined));
      if (branches.some((b) => b === undefined)) return undefined;
      const all = branches as Matcher[];
      parts.push(key === '$and' ? (d) => all.every((m) => m(d)) : (d) => all.some((m) => m(d)));
      continue;
    }
    if (!isTopLevelField(key)) return undefined;
    const test = fieldTest(value);
    if (!test) return undefined;
    parts.push((d) => test(d[key]));
  }
  return (doc) => parts.every((m) => m(doc));
}

const SIMPLE_OPERATORS = new Set(['$set', '$inc', '$unset']);

/** Applies the update to `out` in place; false (and `out` untouched) when the shape is not a simple one. */
export function applySimpleUpdate(out: Document, ops: Document): boolean {
  for (const [op, fields] of Object.entries(ops)) {
    if (!SIMPLE_OPERATORS.has(op) || !isPlainObject(fields)) return false;
    for (const [key, value] of Object.entries(fields)) {
      if (!isTopLevelField(key) || key === '_id') return false;
      // $inc of a non-number (or onto one) is an error mongod reports: mingo reports it too.
      if (op === '$inc' && (typeof value !== 'number' || (out[key] !== undefined && typeof out[key] !== 'number')))
        return false;
    }
  }
  // A field named by two operators is a conflict mongod refuses: leave it to mingo.
  const named = Object.values(ops).flatMap((fields) => Object.keys(fields as Document));
  if (new Set(named).size !== named.length) return false;
  for (const [op, fields] of Object.entries(ops)) {
    for (const [key, value] of Object.entries(fields as Document)) {
      if (op === '$set') out[key] = cloneDoc(value);
      else if (op === '$inc') out[key] = ((out[key] as number | undefined) ?? 0) + (value as number);
      else delete out[key];
    }
  }
  return true;
}

/** mongod's order of the BSON types a sort meets here: null (and missing), numbers, strings, booleans, dates. */
export function typeRank(v: unknown): number | undefined {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 3;
  if (v instanceof Date) return 4;
  return undefined;
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a)!;
  const rb = typeRank(b)!;
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 4) return (a as Date).getTime() - (b as Date).getTime();
  if (ra === 2) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  return Number(a) - Number(b);
}

/**
 * The documents in `sort` order, for sorts on top-level fields whose values are null,
 * missing, numbers, strings, booleans or dates; undefined otherwise (mingo sorts those).
 * Ties keep their natural order.
 */
export function simpleSort(docs: Document[], sort: Document): Document[] | undefined {
  const keys = Object.entries(sort);
  if (keys.length === 0) return undefined;
  for (const [key, dir] of keys) if (!isTopLevelField(key) || (dir !== 1 && dir !== -1)) return undefined;
  for (const doc of docs) for (const [key] of keys) if (typeRank(doc[key]) === undefined) return undefined;
  return [...docs].sort((a, b) => {
    for (const [key, dir] of keys) {
      const c = compareValues(a[key], b[key]);
      if (c !== 0) return c * (dir as number);
    }
    return 0;
  });
}
