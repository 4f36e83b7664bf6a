import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  INDEXES_MODULE,
  indexServes,
  migrateServices,
  unservedQueries,
  type IndexSet,
  type ServiceMigration,
} from '../src/index.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = randomUUID().slice(0, 8);
const dbName = (service: string) => `t-migrate-${run}-${service}`;
const uri = () => process.env.MONGODB_URI!;
const migrated: ServiceMigration[] = [];

afterAll(async () => {
  for (const m of migrated) {
    const conn = await mongoose.createConnection(uri(), { dbName: m.db }).asPromise();
    await conn.dropDatabase();
    await conn.close();
  }
});

describe("the services' index migrations", () => {
  it('when run on empty databases, then every service gets its indexes, and a second run changes nothing', async () => {
    const lines: string[] = [];
    migrated.push(...(await migrateServices({ uri: uri(), repoRoot: REPO_ROOT, dbName, log: (l) => lines.push(l) })));
    const services = migrated.map((m) => m.service);
    expect(services).toEqual(expect.arrayContaining(['asset', 'dispatcher', 'job-intake', 'poller']));
    const generations = migrated.find((m) => m.service === 'poller')!.changes[0]!;
    expect(generations.created).toEqual(expect.arrayContaining(['job_id_1', 'purge_at_1', 'status_1_next_poll_at_1']));
    expect(lines.join('\n')).toContain(`poller (${dbName('poller')}) generations: created`);

    const again = await migrateServices({ uri: uri(), repoRoot: REPO_ROOT, dbName, log: () => {} });
    for (const m of again)
      for (const c of m.changes) expect(c, `${m.service} ${c.collection}`).toMatchObject({ created: [], dropped: [] });
  });

  it('when the migration has run, then every hot query of every service is served by an index it built', async () => {
    if (migrated.length === 0) {
      migrated.push(...(await migrateServices({ uri: uri(), repoRoot: REPO_ROOT, dbName, log: () => {} })));
    }
    for (const m of migrated) {
      const file = path.join(REPO_ROOT, 'services', m.service, INDEXES_MODULE);
      const { indexes } = (await import(pathToFileURL(file).href)) as { indexes: IndexSet };
      expect(indexes.hotQueries.length, `${m.service} declares its hot queries`).toBeGreaterThan(0);
      const conn = await mongoose.createConnection(uri(), { dbName: m.db }).asPromise();
      try {
        const unserved = (await unservedQueries(conn, indexes)).map((q) => `${q.collection}: ${q.name}`);
        expect(unserved, m.service).toEqual([]);
      } finally {
        await conn.close();
      }
    }
  });
});

describe('indexServes', () => {
  const q = (filter: string[], sort?: Record<string, 1 | -1>) => ({ name: 'q', collection: 'c', filter, sort });

  it('when the leading keys are filter fields, then the index serves the query; otherwise not', () => {
    expect(indexServes({ status: 1, next_poll_at: 1 }, q(['status', 'lease_until']))).toBe(true);
    expect(indexServes({ next_poll_at: 1, status: 1 }, q(['status']))).toBe(false);
    expect(indexServes({ a: 1 }, q(['b']))).toBe(false);
  });

  it('when a sort follows the filter keys in index order (or all reversed), then it is served; a mixed order is not', () => {
    const sort = { priority: -1, created_at: 1 } as const;
    expect(indexServes({ state: 1, priority: -1, created_at: 1 }, q(['state'], sort))).toBe(true);
    expect(indexServes({ state: 1, priority: 1, created_at: -1 }, q(['state'], sort))).toBe(true);
    expect(indexServes({ state: 1, priority: 1, created_at: 1 }, q(['state'], sort))).toBe(false);
    expect(indexServes({ state: 1 }, q(['state'], sort))).toBe(false);
  });
});
