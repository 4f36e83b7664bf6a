import type { Document } from 'bson';
import type { Collection } from '../collection.js';
import { badValue, CommandError, notFound } from '../errors.js';
import { normalizeIndexSpec } from '../index-spec.js';
import { select } from '../query-exec.js';
import { refuseCollectionOptions } from '../unsupported.js';
import { collectionName, optionalNumber } from './context.js';
import type { CommandContext, CommandHandler } from './context.js';

function existing(ctx: CommandContext, name: string): Collection {
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw notFound(`${ctx.db}.${name}`);
  return coll;
}

function create(cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd);
  refuseCollectionOptions(cmd);
  if (ctx.store.get(ctx.db, name)) {
    throw new CommandError(48, 'NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  }
  ctx.store.ensure(ctx.db, name);
  return { ok: 1 };
}

function drop(cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd);
  const nIndexesWas = ctx.store.get(ctx.db, name)?.listIndexes().length;
  ctx.store.drop(ctx.db, name);
  return { ...(nIndexesWas ? { nIndexesWas } : {}), ns: `${ctx.db}.${name}`, ok: 1 };
}

function dropDatabase(_cmd: Document, ctx: CommandContext): Document {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
}

function createIndexes(cmd: Document, ctx: CommandContext): Document {
  const specs = cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0) throw badValue("'indexes' must be a non-empty array");
  const name = collectionName(cmd);
  // Every spec is checked before any is built: a refused request changes nothing, as in mongod.
  const before = ctx.store.get(ctx.db, name);
  for (const spec of specs as Document[]) {
    if (!spec || typeof spec !== 'object') throw badValue("'indexes' entries must be objects");
    if (before) before.prepareIndex(spec);
    else normalizeIndexSpec(spec);
  }
  const { coll, created } = ctx.store.ensure(ctx.db, name);
  const numIndexesBefore = coll.listIndexes().length;
  const added = (specs as Document[]).filter((spec) => coll.createIndex(spec)).length;
  return {
    createdCollectionAutomatically: created,
    numIndexesBefore,
    numIndexesAfter: coll.listIndexes().length,
    ...(added === 0 ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
}

function listIndexes(cmd: Document, ctx: CommandContext): Document {
  const coll = existing(ctx, collectionName(cmd));
  const batchSize = optionalNumber((cmd.cursor as Document | undefined)?.batchSize);
  return ctx.cursors.first(coll.ns, coll.listIndexes(), batchSize);
}

function dropIndexes(cmd: Document, ctx: CommandContext): Document {
  const coll = existing(ctx, collectionName(cmd));
  const nIndexesWas = coll.listIndexes().length;
  const index = cmd.index;
  let names: string[];
  if (index === '*')
    names = coll
      .listIndexes()
      .map((s) => s.name)
      .filter((n) => n !== '_id_');
  else if (typeof index === 'string') names = [index];
  else if (Array.isArray(index)) names = index.map(String);
  else if (index && typeof index === 'object') {
    const name = coll.findIndexByKey(index as Document);
    if (!name) throw new CommandError(27, 'IndexNotFound', `can't find index with key: ${JSON.stringify(index)}`);
    names = [name];
  } else throw badValue("'index' must be a name, a key pattern or '*'");
  for (const name of names) coll.dropIndex(name);
  return { nIndexesWas, ok: 1 };
}

function listCollections(cmd: Document, ctx: CommandContext): Document {
  const all = ctx.store.collections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: {},
    info: { readOnly: false },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const matched = select(all, cmd.filter as Document | undefined);
  const docs = cmd.nameOnly ? matched.map((c) => ({ name: c.name, type: c.type })) : matched;
  const batchSize = optionalNumber((cmd.cursor as Document | undefined)?.batchSize);
  return ctx.cursors.first(`${ctx.db}.$cmd.listCollections`, docs, batchSize);
}

export const ddlCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  listCollections,
};
