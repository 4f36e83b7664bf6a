import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { migrateIndexes, type IndexChange, type IndexSet } from './migrate.js';

/** Where a service declares its indexes: `services/<name>/src/store/indexes.ts`, exporting `indexes`. */
export const INDEXES_MODULE = path.join('src', 'store', 'indexes.ts');

export interface MigrateServicesOptions {
  uri: string;
  /** The repository root (holding services/). */
  repoRoot: string;
  /** Default: every service under services/ that declares its indexes. */
  services?: readonly string[];
  /** The service's database; default `pixsim-<service>`, as the services name it. */
  dbName?(service: string): string;
  log?(line: string): void;
}

export interface ServiceMigration {
  service: string;
  db: string;
  changes: IndexChange[];
}

/**
 * Every service's index migration, one database each. A service is found by its indexes
 * module, so a service that starts declaring its indexes (the gateway, say) is migrated
 * from then on without a change here.
 */
export async function migrateServices(opts: MigrateServicesOptions): Promise<ServiceMigration[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dir = path.join(opts.repoRoot, 'services');
  const names = opts.services ?? readdirSync(dir).sort();
  const results: ServiceMigration[] = [];
  for (const service of names) {
    const file = path.join(dir, service, INDEXES_MODULE);
    if (!existsSync(file)) {
      log(`${service}: declares no indexes (no ${path.relative(opts.repoRoot, file)}); skipped`);
      continue;
    }
    const { indexes } = (await import(pathToFileURL(file).href)) as { indexes: IndexSet };
    const db = opts.dbName?.(service) ?? `pixsim-${service}`;
    // Its own connection, with nothing built behind the migration's back.
    const conn = await mongoose
      .createConnection(opts.uri, { dbName: db, autoIndex: false, autoCreate: false, serverSelectionTimeoutMS: 5_000 })
      .asPromise();
    try {
      const changes = await migrateIndexes(conn, indexes);
      results.push({ service, db, changes });
      for (const c of changes) {
        const what = [...c.dropped.map((name) => `dropped ${name}`), ...c.created.map((name) => `created ${name}`)];
        log(`${service} (${db}) ${c.collection}: ${what.length ? what.join(', ') : 'up to date'}`);
      }
    } finally {
      await conn.close();
    }
  }
  return results;
}
