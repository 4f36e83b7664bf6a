import { EJSON } from 'bson';
import type { Document } from 'bson';

/**
 * A stable string for a BSON value, used as a map key for `_id` and index entries.
 * Canonical EJSON keeps the type tag, so the string "1", the number 1 and an ObjectId
 * never collide, while equal values (int 1 and double 1.0 both decode to 1) do.
 *
 * Keys are made on every write (each unique index, each `_id`), and EJSON is slow, so the
 * usual keys (a string, a tuple of strings, an ObjectId) get a short form. Each short form
 * starts with a control character, and canonical EJSON always starts with `{`, so the two
 * never meet; which form a value gets depends on its type alone, so equal values always
 * get the same one.
 */
export function keyOf(value: unknown): string {
  if (typeof value === 'string') return STRING_KEY + value;
  if (value === undefined) return 'undefined';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return STRINGS_KEY + JSON.stringify(value);
  if (isObjectId(value)) return OBJECT_ID_KEY + value.toHexString();
  return EJSON.stringify({ v: value }, { relaxed: false });
}

const STRING_KEY = '\u0001';
const STRINGS_KEY = '\u0002';
const OBJECT_ID_KEY = '\u0003';

const isObjectId = (v: unknown): v is { toHexString(): string } =>
  typeof v === 'object' && v !== null && (v as { _bsontype?: unknown })._bsontype === 'ObjectId';

/**
 * Whether two values are the same BSON value, as their canonical EJSON would say (field
 * order counts, int 1 and double 1.0 are one number, 0 and -0 are not, undefined is
 * written as null), without writing either out: an update asks this of the whole
 * document before and after, on every write.
 */
export function sameValue(x: unknown, y: unknown): boolean {
  const a = x ?? null;
  const b = y ?? null;
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') return keyOf(a) === keyOf(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Date || b instanceof Date)
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !sameValue(a[ka[i]!], b[kb[i]!])) return false;
    return true;
  }
  // Other BSON values (ObjectId, Binary, Decimal128, Long, Timestamp, …): as EJSON says.
  return keyOf(a) === keyOf(b);
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
