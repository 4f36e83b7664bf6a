import { ObjectId } from 'bson';
import type { Document } from 'bson';
import type { Collection } from '../collection.js';
import { badValue, toCommandError } from '../errors.js';
import { project } from '../query-exec.js';
import { checkInsertSize, checkUpdatedSize, checkUpsertSize } from '../doc-size.js';
import { refuseCollation, refuseJsInFilter, refuseJsInPipeline } from '../unsupported.js';
import { applyUpdate, buildUpsert, changed, checkUpdate } from '../update-apply.js';
import type { UpdateSpec } from '../update-apply.js';
import { collectionName } from './context.js';
import type { CommandContext, CommandHandler } from './context.js';

const withId = (doc: Document): Document => (doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc);

/** Runs each op; failures become `writeErrors` entries, and an ordered batch stops at the first. */
function eachOp<T>(ops: T[], ordered: boolean, run: (op: T, index: number) => void): Document[] {
  const writeErrors: Document[] = [];
  for (const [index, op] of ops.entries()) {
    try {
      run(op, index);
    } catch (err) {
      const e = toCommandError(err);
      writeErrors.push({ index, code: e.code, codeName: e.codeName, ...e.extra, errmsg: e.message });
      if (ordered) break;
    }
  }
  return writeErrors;
}

const withErrors = (reply: Document, writeErrors: Document[]): Document =>
  writeErrors.length ? { ...reply, writeErrors } : reply;

function insert(cmd: Document, ctx: CommandContext): Document {
  const docs = cmd.documents;
  if (!Array.isArray(docs)) throw badValue("'documents' must be an array");
  const { coll } = ctx.store.ensure(ctx.db, collectionName(cmd));
  let n = 0;
  const errors = eachOp(docs as Document[], cmd.ordered !== false, (doc) => {
    const stored = withId(doc);
    checkInsertSize(stored);
    coll.insert(stored);
    n++;
  });
  return withErrors({ n, ok: 1 }, errors);
}

interface UpdateOp {
  q?: Document;
  u: UpdateSpec;
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Document[];
  sort?: Document;
  collation?: Document;
}

/** What mongod refuses when it parses a filter and an update, before any document is read. */
function parseChecks(filter: unknown, u: UpdateSpec | undefined, collation: unknown): void {
  refuseJsInFilter(filter);
  refuseCollation(collation);
  if (Array.isArray(u)) refuseJsInPipeline(u);
  if (u !== undefined) checkUpdate(u);
}

function update(cmd: Document, ctx: CommandContext): Document {
  const ops = cmd.updates;
  if (!Array.isArray(ops)) throw badValue("'updates' must be an array");
  const name = collectionName(cmd);
  // Like mongod, only an upsert creates the collection.
  let coll = ctx.store.get(ctx.db, name);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const errors = eachOp(ops as UpdateOp[], cmd.ordered !== false, (op, index) => {
    const filter = op.q ?? {};
    const isReplacement = !Array.isArray(op.u) && !Object.keys(op.u).some((k) => k.startsWith('$'));
    if (op.multi && isReplacement) throw badValue('multi update is not supported for replacement-style update');
    parseChecks(filter, op.u, op.collation);
    const matched = coll ? coll.query(filter, { sort: op.sort, limit: op.multi ? undefined : 1 }) : [];
    if (matched.length === 0 && op.upsert) {
      const doc = buildUpsert(filter, op.u, op.arrayFilters);
      checkUpsertSize(doc);
      coll ??= ctx.store.ensure(ctx.db, name).coll;
      coll.insert(doc);
      n++;
      upserted.push({ index, _id: doc._id });
      return;
    }
    for (const doc of matched) {
      const after = applyUpdate(doc, op.u, filter, op.arrayFilters, false);
      n++;
      if (changed(doc, after)) {
        checkUpdatedSize(after);
        (coll as Collection).replace(doc, after);
        nModified++;
      }
    }
  });
  return withErrors({ n, nModified, ...(upserted.length ? { upserted } : {}), ok: 1 }, errors);
}

function deleteCmd(cmd: Document, ctx: CommandContext): Document {
  const ops = cmd.deletes;
  if (!Array.isArray(ops)) throw badValue("'deletes' must be an array");
  const coll = ctx.store.get(ctx.db, collectionName(cmd));
  let n = 0;
  const errors = eachOp(ops as Document[], cmd.ordered !== false, (op) => {
    parseChecks(op.q, undefined, op.collation);
    if (!coll) return;
    const matched = coll.query(op.q as Document | undefined, { limit: op.limit === 1 ? 1 : undefined });
    for (const doc of matched) coll.remove(doc);
    n += matched.length;
  });
  return withErrors({ n, ok: 1 }, errors);
}

function findAndModify(cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd);
  const filter = (cmd.query as Document | undefined) ?? {};
  const fields = cmd.fields as Document | undefined;
  parseChecks(filter, cmd.update as UpdateSpec | undefined, cmd.collation);
  const reply = (value: Document | null, lastErrorObject: Document): Document => ({
    lastErrorObject,
    value: value ? (project([value], fields)[0] ?? null) : null,
    ok: 1,
  });
  const existing = ctx.store.get(ctx.db, name);
  const [doc] = existing ? existing.query(filter, { sort: cmd.sort as Document | undefined, limit: 1 }) : [];
  if (cmd.remove) {
    if (doc) existing?.remove(doc);
    return reply(doc ?? null, { n: doc ? 1 : 0 });
  }
  const u = cmd.update as UpdateSpec | undefined;
  if (!u) throw badValue('Either an update or remove=true must be specified');
  const arrayFilters = cmd.arrayFilters as Document[] | undefined;
  if (doc) {
    const after = applyUpdate(doc, u, filter, arrayFilters, false);
    if (changed(doc, after)) {
      checkUpdatedSize(after);
      (existing as Collection).replace(doc, after);
    }
    return reply(cmd.new ? after : doc, { n: 1, updatedExisting: true });
  }
  if (!cmd.upsert) return reply(null, { n: 0, updatedExisting: false });
  const inserted = buildUpsert(filter, u, arrayFilters);
  checkUpsertSize(inserted);
  ctx.store.ensure(ctx.db, name).coll.insert(inserted);
  return reply(cmd.new ? inserted : null, { n: 1, updatedExisting: false, upserted: inserted._id });
}

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: deleteCmd, findAndModify };
