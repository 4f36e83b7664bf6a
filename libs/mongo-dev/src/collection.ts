import type { Document } from 'bson';
import { getPath, keyOf } from './canonical.js';
import { badValue, CommandError } from './errors.js';
import { indexConflict, normalizeIndexSpec } from './index-spec.js';
import { OrderedIndex } from './ordered-index.js';
import { planQuery } from './query-plan.js';
import { matcherOf, select, window, type SelectOptions } from './query-exec.js';
import { UniqueIndex } from './unique-index.js';
import type { IndexSpec } from './unique-index.js';

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * Documents of one collection in insertion order, keyed by the canonical `_id`.
 * Stored documents are never mutated: writers replace them, so open cursors keep a
 * consistent view and every write is all-or-nothing.
 */
export class Collection {
  readonly db: string;
  readonly name: string;
  private readonly docs = new Map<string, Document>();
  private readonly indexes = new Map<string, IndexSpec>([[ID_INDEX.name, ID_INDEX]]);
  private readonly unique = new Map<string, UniqueIndex>([[ID_INDEX.name, new UniqueIndex(ID_INDEX)]]);
  /** Every index but `_id`'s, ordered, for equality/range reads and sorted reads with a limit. */
  private readonly ordered = new Map<string, OrderedIndex>();
  /** Insertion number of each stored `_id` key: natural order, and the tie-breaker of index order. */
  private readonly seqs = new Map<string, number>();
  private nextSeq = 0;
  private readonly onChange: () => void;

  constructor(db: string, name: string, onChange: () => void) {
    this.db = db;
    this.name = name;
    this.onChange = onChange;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  /** The stored documents; callers must clone before changing one. */
  all(): Document[] {
    return [...this.docs.values()];
  }

  /**
   * The documents that can match `filter`: found directly through `_id` or a
   * single-field unique index when the filter pins one with a plain value, else
   * all of them. Callers still apply the whole filter; this only narrows the scan,
   * which keeps lookups by id O(1) instead of a pass over the collection.
   */
  candidates(filter?: Document): Document[] {
    return this.lookup(filter) ?? this.all();
  }

  /**
   * The documents matching `filter`, sorted, skipped and limited: through `_id` or a
   * unique index when the filter pins one, else through the best ordered index (see
   * planQuery), else by a scan of the collection. Same answer each way.
   */
  query(filter: Document | undefined, opts: SelectOptions = {}): Document[] {
    const direct = this.lookup(filter);
    if (direct) return select(direct, filter, opts);
    const { skip, limit } = window(opts);
    const plan = planQuery(this.ordered.values(), filter, opts.sort, limit !== undefined);
    if (!plan) return select(this.all(), filter, opts);
    if (plan.inSortOrder) {
      const test = matcherOf(filter);
      const out: Document[] = [];
      for (const entry of plan.index.scan(plan.bounds)) {
        const doc = this.docs.get(entry.id)!;
        if (!test(doc)) continue;
        out.push(doc);
        if (limit !== undefined && out.length >= skip + limit) break;
      }
      return out.slice(skip);
    }
    // Back to natural order, which an unsorted find (and a sort's ties) keeps.
    const entries = [...plan.index.scan(plan.bounds)].sort((a, b) => a.seq - b.seq);
    return select(
      entries.map((e) => this.docs.get(e.id)!),
      filter,
      opts,
    );
  }

  /**
   * The documents a filter pins by `_id` or a single-field unique key (a value or `$in` of values), in
   * natural order.
   */
  private lookup(filter: Document | undefined): Document[] | undefined {
    for (const [field, value] of Object.entries(filter ?? {})) {
      const values = pinnedValues(value);
      if (!values) continue;
      if (field === '_id') return this.inNaturalOrder(values.map((v) => keyOf(v)));
      for (const index of this.unique.values()) {
        if (index.lookupField !== field) continue;
        return this.inNaturalOrder(values.map((v) => index.ownerOf(v)));
      }
    }
    return undefined;
  }

  private inNaturalOrder(ids: Array<string | undefined>): Document[] {
    const found = [...new Set(ids)].filter((id): id is string => id !== undefined && this.docs.has(id));
    if (found.length > 1) found.sort((a, b) => this.seqs.get(a)! - this.seqs.get(b)!);
    return found.map((id) => this.docs.get(id)!);
  }

  insert(doc: Document): void {
    const id = idKey(doc);
    // Index owners are `_id` keys, so a repeated `_id` would look like its own entry.
    if (this.docs.has(id)) throw (this.unique.get(ID_INDEX.name) as UniqueIndex).duplicate(this.ns, [doc._id]);
    for (const index of this.unique.values()) index.check(doc, id, this.ns);
    for (const index of this.unique.values()) index.add(doc, id);
    const seq = this.nextSeq++;
    this.seqs.set(id, seq);
    for (const index of this.ordered.values()) index.add(doc, seq, id);
    this.docs.set(id, doc);
    this.onChange();
  }

  /** Swaps `before` for `after` (same `_id`), enforcing unique indexes first. */
  replace(before: Document, after: Document): void {
    const id = idKey(before);
    if (idKey(after) !== id) {
      throw new CommandError(
        66,
        'ImmutableField',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    for (const index of this.unique.values()) index.check(after, id, this.ns);
    for (const index of this.unique.values()) {
      index.remove(before, id);
      index.add(after, id);
    }
    const seq = this.seqs.get(id)!;
    for (const index of this.ordered.values()) index.replace(before, after, seq, id);
    this.docs.set(id, after);
    this.onChange();
  }

  remove(doc: Document): void {
    const id = idKey(doc);
    for (const index of this.unique.values()) index.remove(doc, id);
    const seq = this.seqs.get(id)!;
    for (const index of this.ordered.values()) index.remove(doc, seq, id);
    this.seqs.delete(id);
    this.docs.delete(id);
    this.onChange();
  }

  /**
   * Validates a requested index against mongod's rules and the existing indexes: the
   * spec to build, or undefined when this very index (same name, same definition)
   * exists. A clash in name or definition throws 85/86 as mongod does.
   */
  prepareIndex(input: Document): IndexSpec | undefined {
    const spec = normalizeIndexSpec(input);
    const sameName = this.indexes.get(spec.name);
    if (sameName) {
      const conflict = indexConflict(spec, sameName);
      if (conflict) throw conflict;
      return undefined;
    }
    for (const existing of this.indexes.values()) {
      const conflict = indexConflict(spec, existing);
      if (conflict) throw conflict;
    }
    return spec;
  }

  /** Returns false when the same index already exists (a no-op, as in mongod). */
  createIndex(input: Document): boolean {
    const spec = this.prepareIndex(input);
    if (!spec) return false;
    if (spec.unique) {
      const index = new UniqueIndex(spec);
      for (const [id, doc] of this.docs) {
        index.check(doc, id, this.ns);
        index.add(doc, id);
      }
      this.unique.set(spec.name, index);
    }
    const ordered = new OrderedIndex(spec);
    for (const [id, doc] of this.docs) ordered.add(doc, this.seqs.get(id)!, id);
    this.ordered.set(spec.name, ordered);
    this.indexes.set(spec.name, spec);
    this.onChange();
    return true;
  }

  /**
   * What mongod's TTL monitor does on each pass: removes the documents whose TTL-indexed
   * field holds a date (or an array of dates, by its earliest) at least
   * `expireAfterSeconds` before `now`. Fields of other types never expire; a partial
   * TTL index expires only the documents it holds. Returns how many were removed.
   */
  expire(now: number): number {
    let removed = 0;
    for (const spec of [...this.indexes.values()]) {
      const seconds = spec.expireAfterSeconds;
      if (typeof seconds !== 'number') continue;
      const field = Object.keys(spec.key)[0]!;
      const cutoff = now - seconds * 1000;
      const inIndex = spec.partialFilterExpression ? matcherOf(spec.partialFilterExpression) : undefined;
      const expired = this.all().filter((doc) => {
        const at = earliestDate(getPath(doc, field));
        return at !== undefined && at <= cutoff && (!inIndex || inIndex(doc));
      });
      for (const doc of expired) this.remove(doc);
      removed += expired.length;
    }
    return removed;
  }

  dropIndex(name: string): void {
    if (name === ID_INDEX.name) throw new CommandError(72, 'InvalidOptions', 'cannot drop _id index');
    if (!this.indexes.delete(name)) throw new CommandError(27, 'IndexNotFound', `index not found with name [${name}]`);
    this.unique.delete(name);
    this.ordered.delete(name);
    this.onChange();
  }

  findIndexByKey(key: Document): string | undefined {
    const wanted = keyOf(key);
    return [...this.indexes.values()].find((s) => keyOf(s.key) === wanted)?.name;
  }

  listIndexes(): IndexSpec[] {
    return [...this.indexes.values()].map((s) => ({ ...s }));
  }
}

function idKey(doc: Document): string {
  if (Array.isArray(doc._id)) throw badValue("can't use an array for _id");
  return keyOf(doc._id);
}

/** The earliest valid date in a value (a date, or the dates of an array), in ms; else undefined. */
function earliestDate(value: unknown): number | undefined {
  let earliest: number | undefined;
  for (const v of Array.isArray(value) ? value : [value]) {
    if (!(v instanceof Date)) continue;
    const t = v.getTime();
    if (!Number.isNaN(t) && (earliest === undefined || t < earliest)) earliest = t;
  }
  return earliest;
}

/** The values an equality or `$in` condition pins, when every one is a plain value; else undefined. */
function pinnedValues(condition: unknown): unknown[] | undefined {
  if (isPlainValue(condition)) return [condition];
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const ops = Object.entries(condition as Document);
  if (ops.length !== 1 || ops[0]![0] !== '$in' || !Array.isArray(ops[0]![1])) return undefined;
  const values = ops[0]![1] as unknown[];
  return values.every(isPlainValue) ? values : undefined;
}

/** A value that an equality filter compares as is: not null, an array, an operator object or a regex. */
function isPlainValue(value: unknown): boolean {
  if (value === null || value === undefined || Array.isArray(value) || value instanceof RegExp) return false;
  if (typeof value !== 'object') return true;
  const proto = Object.getPrototypeOf(value);
  // BSON values (ObjectId, Binary/UUID, Long, Decimal128) and Dates compare as values; plain objects may hold
  // operators.
  return proto !== Object.prototype && proto !== null;
}
