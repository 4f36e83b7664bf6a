import { EJSON, ObjectId } from 'bson';
import type { Document } from 'bson';
import { Query } from 'mingo';
import { getPath, keyOf } from './canonical.js';
import { CommandError } from './errors.js';

export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
}

export const defaultIndexName = (key: Document): string =>
  Object.entries(key)
    .map(([f, d]) => `${f}_${String(d)}`)
    .join('_');

interface IndexKey {
  key: string;
  values: unknown[];
}

/**
 * One unique index: a map from the canonical key of the indexed values to the `_id` key
 * of the owning document. Non-unique indexes keep no entries: queries scan anyway.
 */
export class UniqueIndex {
  readonly spec: IndexSpec;
  private readonly fields: string[];
  private readonly partial: Query | undefined;
  private readonly entries = new Map<string, string>();

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : undefined;
  }

  /** Keys a document contributes; none when sparse/partial exclude it. Arrays give one key per element. */
  keysOf(doc: Document): IndexKey[] {
    const raw = this.fields.map((f) => getPath(doc, f));
    if (this.spec.sparse && raw.every((v) => v === undefined)) return [];
    if (this.partial && !this.partial.test(doc)) return [];
    // The usual case, one field holding one value, asked on every write: one key, made once.
    if (raw.length === 1 && !Array.isArray(raw[0])) {
      const values = [raw[0] ?? null];
      return [{ key: keyOf(values), values }];
    }
    let tuples: unknown[][] = [[]];
    for (const value of raw) {
      const options = Array.isArray(value) ? (value.length ? value : [undefined]) : [value ?? null];
      tuples = tuples.flatMap((t) => options.map((o) => [...t, o]));
    }
    const seen = new Map<string, IndexKey>();
    for (const values of tuples) {
      const key = keyOf(values);
      seen.set(key, { key, values });
    }
    return [...seen.values()];
  }

  /** The one indexed field, for a single-field index that holds every document; else null. */
  get lookupField(): string | null {
    return this.fields.length === 1 && !this.spec.sparse && !this.partial ? this.fields[0]! : null;
  }

  /** The `_id` key of the document whose indexed value equals `value` (single-field indexes). */
  ownerOf(value: unknown): string | undefined {
    return this.entries.get(keyOf([value]));
  }

  /** Throws E11000 when a key of `doc` is owned by another document. */
  check(doc: Document, ownerId: string, ns: string): void {
    for (const k of this.keysOf(doc)) {
      const owner = this.entries.get(k.key);
      if (owner !== undefined && owner !== ownerId) throw this.duplicate(ns, k.values);
    }
  }

  add(doc: Document, ownerId: string): void {
    for (const k of this.keysOf(doc)) this.entries.set(k.key, ownerId);
  }

  remove(doc: Document, ownerId: string): void {
    for (const k of this.keysOf(doc)) if (this.entries.get(k.key) === ownerId) this.entries.delete(k.key);
  }

  duplicate(ns: string, values: unknown[]): CommandError {
    const keyValue: Document = {};
    for (const [i, f] of this.fields.entries()) keyValue[f] = values[i] === undefined ? null : values[i];
    const shown = this.fields.map((f) => `${f}: ${formatValue(keyValue[f])}`).join(', ');
    const message = `E11000 duplicate key error collection: ${ns} index: ${this.spec.name} dup key: { ${shown} }`;
    return new CommandError(11000, 'DuplicateKey', message, { keyPattern: { ...this.spec.key }, keyValue });
  }
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  return EJSON.stringify(v as Document, { relaxed: true });
}
