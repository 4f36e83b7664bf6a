import type { Connection } from 'mongoose';
import type { ModelDef } from './model.js';

/** A service's collections, whose schemas declare its indexes: what its migration builds. */
export interface IndexSet {
  /** The service, as in its database name `pixsim-<service>`. */
  service: string;
  // biome-ignore lint/suspicious/noExplicitAny: a list of models of different record types
  models: readonly ModelDef<any>[];
}

export function declareIndexes(service: string, models: IndexSet['models']): IndexSet {
  return { service, models };
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
