import type { Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { cloneDoc, getPath, keyOf } from '../canonical.js';
import { badValue } from '../errors.js';
import { project, type SelectOptions } from '../query-exec.js';
import { mapReduce, refuseCollation, refuseJsInFilter, refuseJsInPipeline } from '../unsupported.js';
import { collectionName, optionalNumber } from './context.js';
import type { CommandContext, CommandHandler } from './context.js';

const docsOf = (ctx: CommandContext, name: string): Document[] => ctx.store.get(ctx.db, name)?.all() ?? [];
const queryOf = (ctx: CommandContext, name: string, filter: Document | undefined, opts: SelectOptions): Document[] =>
  ctx.store.get(ctx.db, name)?.query(filter, opts) ?? [];

function find(cmd: Document, ctx: CommandContext): Document {
  const name = collectionName(cmd);
  refuseJsInFilter(cmd.filter);
  refuseCollation(cmd.collation);
  const limit = optionalNumber(cmd.limit);
  const matched = queryOf(ctx, name, cmd.filter as Document | undefined, {
    sort: cmd.sort as Document | undefined,
    skip: optionalNumber(cmd.skip),
    limit,
  });
  const docs = project(matched, cmd.projection as Document | undefined);
  const singleBatch = cmd.singleBatch === true || (limit !== undefined && limit < 0);
  return ctx.cursors.first(`${ctx.db}.${name}`, docs, optionalNumber(cmd.batchSize), singleBatch);
}

function getMore(cmd: Document, ctx: CommandContext): Document {
  return ctx.cursors.more(cmd.getMore, optionalNumber(cmd.batchSize));
}

function killCursors(cmd: Document, ctx: CommandContext): Document {
  return ctx.cursors.kill(Array.isArray(cmd.cursors) ? cmd.cursors : []);
}

function aggregate(cmd: Document, ctx: CommandContext): Document {
  const pipeline = cmd.pipeline;
  if (!Array.isArray(pipeline)) throw badValue("'pipeline' option must be specified as an array");
  refuseJsInPipeline(pipeline);
  refuseCollation(cmd.collation);
  if (pipeline.some((s: Document) => '$out' in s || '$merge' in s))
    throw badValue('$out and $merge are not supported by mongo-dev');
  const name = typeof cmd.aggregate === 'string' ? cmd.aggregate : undefined;
  let stages: Document[] = pipeline;
  let source: Document[];
  // Filter before cloning: mingo stages may mutate their input, and stored docs must stay intact.
  const first = stages[0];
  if (first && '$match' in first) {
    source = name ? queryOf(ctx, name, first.$match as Document, {}) : [];
    stages = stages.slice(1);
  } else {
    source = name ? docsOf(ctx, name) : [];
  }
  const collectionResolver = (other: string): Document[] => cloneDoc(docsOf(ctx, other));
  const result = new Aggregator(stages, { collectionResolver }).run(cloneDoc(source)) as Document[];
  const batchSize = optionalNumber((cmd.cursor as Document | undefined)?.batchSize);
  return ctx.cursors.first(`${ctx.db}.${name ?? '$cmd.aggregate'}`, result, batchSize);
}

function count(cmd: Document, ctx: CommandContext): Document {
  refuseJsInFilter(cmd.query);
  refuseCollation(cmd.collation);
  const matched = queryOf(ctx, collectionName(cmd), cmd.query as Document | undefined, {
    skip: optionalNumber(cmd.skip),
    limit: optionalNumber(cmd.limit),
  });
  return { n: matched.length, ok: 1 };
}

function distinct(cmd: Document, ctx: CommandContext): Document {
  if (typeof cmd.key !== 'string') throw badValue("'key' must be a string");
  refuseJsInFilter(cmd.query);
  refuseCollation(cmd.collation);
  const query = new Query((cmd.query as Document | undefined) ?? {}, {});
  const seen = new Map<string, unknown>();
  for (const doc of docsOf(ctx, collectionName(cmd))) {
    if (!query.test(doc)) continue;
    const value = getPath(doc, cmd.key);
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) seen.set(keyOf(v), v);
  }
  return { values: [...seen.values()], ok: 1 };
}

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  aggregate,
  count,
  distinct,
  mapReduce,
};
