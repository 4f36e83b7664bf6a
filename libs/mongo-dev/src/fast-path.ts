import type { Document } from 'bson';
import { cloneDoc } from './canonical.js';

/**
 * Shortcuts for the shapes that carry nearly all of a service's traffic: equality
 * filters on top-level fields (`{ _id, version }`) and `$set` / `$inc` / `$unset` of
 * top-level fields. mingo handles everything else; these only exist because building
 * a mingo Query or update copies its whole operator table, which cost more per
 * command than the command. Each returns undefined when the shape is not its own.
 */

type Scalar = string | number | boolean | null;

const isScalar = (v: unknown): v is Scalar =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

const isTopLevelField = (key: string): boolean => key.length > 0 && key[0] !== '$' && !key.includes('.');

/** `{field: null}` also matches a missing field, and a scalar matches an array holding it, as in mongod. */
const equals = (stored: unknown, wanted: Scalar): boolean => (wanted === null ? stored === null || stored === undefined : stored === wanted);

export function simpleMatcher(filter: Document | undefined): ((doc: Document) => boolean) | undefined {
  const entries = Object.entries(filter ?? {});
  for (const [key, value] of entries) if (!isTopLevelField(key) || !isScalar(value)) return undefined;
  const pairs = entries as Array<[string, Scalar]>;
  return (doc) => pairs.every(([key, wanted]) => {
    const stored = doc[key];
    return equals(stored, wanted) || (Array.isArray(stored) && stored.some((item) => equals(item, wanted)));
  });
}

const SIMPLE_OPERATORS = new Set(['$set', '$inc', '$unset']);

/** Applies the update to `out` in place; false (and `out` untouched) when the shape is not a simple one. */
export function applySimpleUpdate(out: Document, ops: Document): boolean {
  for (const [op, fields] of Object.entries(ops)) {
    if (!SIMPLE_OPERATORS.has(op) || typeof fields !== 'object' || fields === null || Array.isArray(fields)) return false;
    for (const [key, value] of Object.entries(fields as Document)) {
      if (!isTopLevelField(key) || key === '_id') return false;
      // $inc of a non-number (or onto one) is an error mongod reports: mingo reports it too.
      if (op === '$inc' && (typeof value !== 'number' || (out[key] !== undefined && typeof out[key] !== 'number'))) return false;
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
