import { ObjectId } from 'bson';
import type { Document } from 'bson';
import { Aggregator } from 'mingo';
import { update as applyOperators } from 'mingo/updater';
import type { Modifier } from 'mingo/updater';
import { cloneDoc, isPlainObject, keyOf, sameValue, setPath } from './canonical.js';
import { applySimpleUpdate } from './fast-path.js';
import { badValue, CommandError, toCommandError } from './errors.js';
import { checkUpdateAgainst, checkUpdateSpec } from './update-validate.js';

export type UpdateSpec = Document | Document[];

const immutableId = (): CommandError =>
  new CommandError(
    66,
    'ImmutableField',
    "Performing an update on the path '_id' would modify the immutable field '_id'",
  );

const isOperatorUpdate = (u: Document): boolean => Object.keys(u).some((k) => k.startsWith('$'));

/** The checks mongod makes when it parses an update, before reading any document. */
export function checkUpdate(u: UpdateSpec): void {
  if (u === null || typeof u !== 'object') throw badValue('update must be an object or a pipeline');
  if (!Array.isArray(u) && isOperatorUpdate(u)) checkUpdateSpec(u);
}

/**
 * Returns the updated copy of `doc`; `doc` itself is left untouched.
 * `inserting` is true for the document an upsert creates: only then is `$setOnInsert` applied.
 */
export function applyUpdate(
  doc: Document,
  u: UpdateSpec,
  filter: Document,
  arrayFilters: Document[] | undefined,
  inserting: boolean,
): Document {
  try {
    if (Array.isArray(u)) return applyPipeline(doc, u);
    if (!isOperatorUpdate(u)) return applyReplacement(doc, u);
    return applyOperatorUpdate(doc, u, filter, arrayFilters, inserting);
  } catch (err) {
    throw toCommandError(err);
  }
}

function applyPipeline(doc: Document, pipeline: Document[]): Document {
  const [out] = new Aggregator(pipeline, {}).run(cloneDoc([doc]));
  if (!out) throw badValue('update pipeline produced no document');
  if (out._id === undefined) return { _id: doc._id, ...out };
  if (doc._id !== undefined && keyOf(out._id) !== keyOf(doc._id)) throw immutableId();
  return out;
}

function applyReplacement(doc: Document, replacement: Document): Document {
  if (replacement._id !== undefined && doc._id !== undefined && keyOf(replacement._id) !== keyOf(doc._id))
    throw immutableId();
  const { _id, ...rest } = cloneDoc(replacement);
  return { _id: doc._id ?? _id, ...rest };
}

function applyOperatorUpdate(
  doc: Document,
  u: Document,
  filter: Document,
  arrayFilters: Document[] | undefined,
  inserting: boolean,
): Document {
  checkUpdateAgainst(doc, u, inserting);
  // No path is named twice (checkUpdateSpec), so `$setOnInsert` can join `$set` safely.
  const { $setOnInsert, ...ops } = u;
  const out = cloneDoc(doc);
  const set: Document = { ...(ops.$set as Document | undefined) };
  if (inserting && isPlainObject($setOnInsert)) Object.assign(set, $setOnInsert);
  // mingo refuses `$set: { _id }` even when unchanged; mongod accepts an equal value.
  if (set._id !== undefined) {
    if (out._id === undefined) out._id = set._id;
    else if (keyOf(set._id) !== keyOf(out._id)) throw immutableId();
    delete set._id;
  }
  if (Object.keys(set).length) ops.$set = set;
  else delete ops.$set;
  if (Object.keys(ops).length === 0) return out;
  if (!arrayFilters && applySimpleUpdate(out, ops)) return out;
  // The filter only drives the positional `$`; a freshly seeded upsert need not match it.
  applyOperators(out, ops as Modifier<Document>, arrayFilters, inserting ? undefined : filter);
  return out;
}

/** Equality fields of the filter (also inside `$and`), which seed an upserted document. */
function upsertSeed(filter: Document, out: Document = {}): Document {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) for (const f of value as Document[]) upsertSeed(f, out);
    if (key.startsWith('$')) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in value) setPath(out, key, cloneDoc(value.$eq));
      continue;
    }
    setPath(out, key, cloneDoc(value));
  }
  return out;
}

/** The document an upsert inserts, with `_id` first and generated when absent. */
export function buildUpsert(filter: Document, u: UpdateSpec, arrayFilters: Document[] | undefined): Document {
  const seed = upsertSeed(filter);
  const doc =
    !Array.isArray(u) && !isOperatorUpdate(u)
      ? { ...cloneDoc(u), _id: u._id ?? seed._id }
      : applyUpdate(seed, u, filter, arrayFilters, true);
  const { _id, ...rest } = doc;
  return { _id: _id ?? new ObjectId(), ...rest };
}

export const changed = (before: Document, after: Document): boolean => !sameValue(before, after);
