import type { Document } from 'bson';
import * as sortedBtree from 'sorted-btree';
import { compareValues, typeRank } from './fast-path.js';
import type { IndexSpec } from './unique-index.js';

// sorted-btree is CommonJS with an `exports.default` class: Node's ESM loader hands
// over `module.exports` as the default, bundlers (vitest) the class itself.
type BTreeClass = typeof import('sorted-btree').default;
const loaded = (sortedBtree as unknown as { default: BTreeClass | { default: BTreeClass } }).default;
const BTree: BTreeClass = typeof loaded === 'function' ? loaded : loaded.default;

/** Before or after every value of a field, for open ends of a scan. */
const LOW = Symbol('low');
const HIGH = Symbol('high');

/** One index entry: the indexed values, then the document's insertion number (natural order) and `_id` key. */
export interface IndexEntry {
  values: unknown[];
  seq: number;
  id: string;
}

/** What a filter pins on the index's fields, in index order: equal values, then at most one range. */
export interface IndexBounds {
  equal: unknown[];
  range?: { min?: unknown; max?: unknown };
}

/**
 * An ascending/descending index over top-level fields as a B+ tree, so that a query
 * with equalities on the leading fields (and a range on the next) reads only its
 * slice, and a sort in index order stops after `limit` matches instead of sorting the
 * collection. It covers the values the fast paths compare (null/missing, numbers,
 * strings, booleans, dates); the first document holding anything else (an array, an
 * object, an ObjectId) retires it for good, and queries scan as before. The index only
 * narrows: the caller still applies the whole filter, so a scan may return more than
 * matches but never less.
 */
export class OrderedIndex {
  readonly spec: IndexSpec;
  readonly fields: string[];
  private readonly dirs: number[];
  private readonly tree;
  #usable: boolean;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.dirs = Object.values(spec.key).map(Number);
    this.#usable =
      this.fields.every((f) => !f.includes('.') && !f.startsWith('$')) &&
      this.dirs.every((d) => d === 1 || d === -1) &&
      !spec.sparse &&
      !spec.partialFilterExpression;
    this.tree = new BTree<IndexEntry, undefined>(undefined, (a, b) => this.compare(a, b));
  }

  get usable(): boolean {
    return this.#usable;
  }

  /** 1 or -1: the order of the field at `position`. */
  direction(position: number): number {
    return this.dirs[position]!;
  }

  get size(): number {
    return this.tree.size;
  }

  add(doc: Document, seq: number, id: string): void {
    if (!this.#usable) return;
    const entry = this.entryOf(doc, seq, id);
    if (entry) this.tree.set(entry, undefined);
  }

  remove(doc: Document, seq: number, id: string): void {
    if (!this.#usable) return;
    const entry = this.entryOf(doc, seq, id);
    if (entry) this.tree.delete(entry);
  }

  /** Moves a document whose indexed values changed; a no-op when they did not. */
  replace(before: Document, after: Document, seq: number, id: string): void {
    if (!this.#usable) return;
    if (this.fields.every((f) => sameValue(before[f], after[f]))) return;
    this.remove(before, seq, id);
    this.add(after, seq, id);
  }

  /**
   * Entries within `bounds`, in index order. Range ends are taken inclusively and a
   * range is not narrowed to its value's type: both only widen the slice, and the
   * filter drops the extra entries.
   */
  *scan(bounds: IndexBounds): Generator<IndexEntry> {
    const n = bounds.equal.length;
    const low: unknown[] = [...bounds.equal];
    const high: unknown[] = [...bounds.equal];
    if (bounds.range && n < this.fields.length) {
      const ascending = this.dirs[n] === 1;
      const { min, max } = bounds.range;
      low.push((ascending ? min : max) ?? LOW);
      high.push((ascending ? max : min) ?? HIGH);
    }
    while (low.length < this.fields.length) low.push(LOW);
    while (high.length < this.fields.length) high.push(HIGH);
    const end: IndexEntry = { values: high, seq: Infinity, id: '' };
    for (const [entry] of this.tree.entries({ values: low, seq: -Infinity, id: '' })) {
      if (this.compare(entry, end) > 0) return;
      yield entry;
    }
  }

  private entryOf(doc: Document, seq: number, id: string): IndexEntry | null {
    const values = this.fields.map((f) => doc[f] ?? null);
    if (
      values.some(
        (v) => typeRank(v) === undefined || Number.isNaN(v) || (v instanceof Date && Number.isNaN(v.getTime())),
      )
    ) {
      // Arrays (multikey), objects, other BSON types, NaN and invalid dates (which
      // have no place in the order): leave them to full scans.
      this.#usable = false;
      this.tree.clear();
      return null;
    }
    return { values, seq, id };
  }

  private compare(a: IndexEntry, b: IndexEntry): number {
    for (let i = 0; i < this.fields.length; i++) {
      const c = compareBound(a.values[i], b.values[i], this.dirs[i]!);
      if (c !== 0) return c;
    }
    return a.seq - b.seq;
  }
}

function compareBound(a: unknown, b: unknown, dir: number): number {
  if (a === b) return 0;
  if (a === LOW || b === HIGH) return -1;
  if (a === HIGH || b === LOW) return 1;
  return compareValues(a, b) * dir;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}
