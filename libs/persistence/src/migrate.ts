import type { Connection } from 'mongoose';
import type { ModelDef } from './model.js';

/**
 * A query a store runs often enough that it must be served by an index: the fields its
 * filter names (equality and range; each `$or` branch is a query of its own) and its sort.
 */
export interface HotQuery {
  collection: string;
  filter: readonly string[];
  sort?: Readonly<Record<string, 1 | -1>>;
  /** Where it runs, for the failure message. */
  name: string;
}

/** A service's collections, whose schemas declare its indexes: what its migration builds. */
export interface IndexSet {
  /** The service, as in its database name `pixsim-<service>`. */
  service: string;
  // biome-ignore lint/suspicious/noExplicitAny: a list of models of different record types
  models: readonly ModelDef<any>[];
  /** The stores' hot queries, checked against the indexes the migration builds. */
  hotQueries: readonly HotQuery[];
}

export function declareIndexes(
  service: string,
  models: IndexSet['models'],
  hotQueries: IndexSet['hotQueries'] = [],
): IndexSet {
  return { service, models, hotQueries };
}

export interface IndexChange {
  collection: string;
  created: string[];
  dropped: string[];
}

/**
 * Makes the database's indexes those the schemas declare: missing ones are built, and
 * ones no longer declared, or declared differently (keys or options), are dropped (and
 * the new definition built). Idempotent: a second run changes nothing.
 */
export async function migrateIndexes(conn: Connection, set: IndexSet): Promise<IndexChange[]> {
  const changes: IndexChange[] = [];
  for (const def of set.models) {
    const model = def.model(conn);
    await model.createCollection().catch((err: { codeName?: string; code?: number }) => {
      if (err.code !== 48 && err.codeName !== 'NamespaceExists') throw err;
    });
    const { toDrop, toCreate } = await model.diffIndexes({ indexOptionsToCreate: true });
    const dropped = toDrop as string[];
    for (const name of dropped) await model.collection.dropIndex(name);
    const created: string[] = [];
    for (const [key, options] of toCreate as [Record<string, 1 | -1>, Record<string, unknown>][]) {
      created.push(await model.collection.createIndex(key, options));
    }
    changes.push({ collection: model.collection.collectionName, created, dropped });
  }
  return changes;
}

/** The indexes a collection has now, by key pattern (for checks that a query is covered). */
export async function listIndexKeys(conn: Connection, collection: string): Promise<Record<string, number>[]> {
  const indexes = await conn.collection(collection).listIndexes().toArray();
  return indexes.map((ix) => ix.key as Record<string, number>);
}

/**
 * Whether an index serves a query: its leading keys are fields the filter names (at least
 * one), and a sort is read in index order (as is, or all reversed) right after them.
 * The `_id` index serves any query on `_id`.
 */
export function indexServes(index: Record<string, number>, query: HotQuery): boolean {
  const keys = Object.entries(index);
  const filter = new Set(query.filter);
  let lead = 0;
  while (lead < keys.length && filter.has(keys[lead]![0])) lead++;
  const sort = Object.entries(query.sort ?? {});
  if (lead === 0 && !(sort.length > 0 && query.filter.length === 0)) return false;
  if (sort.length === 0) return true;
  // Each sort field may also be a filter field inside the lead: look for it right after any lead prefix.
  for (let start = Math.min(lead, keys.length); start >= 0; start--) {
    const run = keys.slice(start, start + sort.length);
    if (run.length < sort.length) continue;
    const same = run.every(([k, d], i) => k === sort[i]![0] && d === sort[i]![1]);
    const reversed = run.every(([k, d], i) => k === sort[i]![0] && d === -sort[i]![1]);
    if (same || reversed) return true;
  }
  return false;
}

/** The hot queries of a set that no index of the database serves (after its migration ran). */
export async function unservedQueries(conn: Connection, set: IndexSet): Promise<HotQuery[]> {
  const unserved: HotQuery[] = [];
  for (const query of set.hotQueries) {
    const indexes = await listIndexKeys(conn, query.collection);
    if (!indexes.some((ix) => indexServes(ix, query))) unserved.push(query);
  }
  return unserved;
}
