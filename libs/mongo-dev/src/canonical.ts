import { EJSON } from 'bson';
import type { Document } from 'bson';

/**
 * A stable string for a BSON value, used as a map key for `_id` and index entries.
 * Canonical EJSON keeps the type tag, so the string "1", the number 1 and an ObjectId
 * never collide, while equal values (int 1 and double 1.0 both decode to 1) do.
 */
export function keyOf(value: unknown): string {
  if (value === undefined) return 'undefined';
  return EJSON.stringify({ v: value }, { relaxed: false });
}

const isPlainObject = (v: unknown): v is Document =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Deep copy of plain objects and arrays; BSON values (ObjectId, Decimal128, ...) are immutable and shared. */
export function cloneDoc<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneDoc(v)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneDoc(v);
    return out as T;
  }
  return value;
}

/** Value at a dotted path; arrays along the way yield the array of their elements' values. */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(cur) && !/^\d+$/.test(part)) {
      const values = cur.map((item) => getPath(item, part)).filter((v) => v !== undefined);
      return values.length ? values.flat() : undefined;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[part];
  }
  return cur;
}

export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (!isPlainObject(next)) cur[part] = {};
    cur = cur[part] as Document;
  }
  cur[parts[parts.length - 1] as string] = value;
}

export { isPlainObject };
