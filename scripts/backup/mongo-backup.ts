import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import mongoose from 'mongoose';

/**
 * A logical MongoDB backup with nothing but the driver: per collection, its documents as
 * gzipped canonical Extended JSON (one per line: every BSON type survives) and its index
 * definitions. What `mongodump --archive --gzip` does, where mongodump is not installed,
 * and restorable into any MongoDB (or the dev server) with `restoreDatabase`.
 *
 * Layout: <dir>/<database>/<collection>.ejson.gz, <collection>.indexes.json, manifest.json.
 * The manifest is written last: a directory without one is an interrupted backup.
 */

const { EJSON } = mongoose.mongo.BSON;
type Db = mongoose.mongo.Db;
type Document = mongoose.mongo.Document;

interface CollectionManifest {
  name: string;
  documents: number;
  indexes: number;
}

export interface DatabaseManifest {
  format: 'pixsim-ejson-1';
  database: string;
  created_at: string;
  collections: CollectionManifest[];
}

/** Writes one database under `dir/<database>/`; returns its manifest. */
export async function backupDatabase(db: Db, dir: string): Promise<DatabaseManifest> {
  const target = path.join(dir, db.databaseName);
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const collections: CollectionManifest[] = [];
  const names = (await db.listCollections({ type: 'collection' }, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => !n.startsWith('system.'))
    .sort();
  for (const name of names) {
    const coll = db.collection(name);
    const indexes = (await coll.listIndexes().toArray()).filter((ix) => ix.name !== '_id_');
    await writeFile(path.join(partial, `${name}.indexes.json`), `${JSON.stringify(indexes, null, 2)}\n`);
    let documents = 0;
    const cursor = coll.find({}, { sort: { _id: 1 } });
    const lines = Readable.from(
      (async function* () {
        for await (const doc of cursor) {
          documents++;
          yield `${EJSON.stringify(doc, { relaxed: false })}\n`;
        }
      })(),
    );
    await pipeline(lines, createGzip(), createWriteStream(path.join(partial, `${name}.ejson.gz`)));
    collections.push({ name, documents, indexes: indexes.length });
  }
  const manifest: DatabaseManifest = {
    format: 'pixsim-ejson-1',
    database: db.databaseName,
    created_at: new Date().toISOString(),
    collections,
  };
  await writeFile(path.join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(target, { recursive: true, force: true });
  await rename(partial, target);
  return manifest;
}

export interface RestoreOptions {
  /** Drop each collection before restoring it (default false: refuse to restore into a non-empty one). */
  drop?: boolean;
  batchSize?: number;
}

/** Restores a database written by backupDatabase (`from` is its directory) into `db`. */
export async function restoreDatabase(db: Db, from: string, opts: RestoreOptions = {}): Promise<DatabaseManifest> {
  const manifest = JSON.parse(await readFile(path.join(from, 'manifest.json'), 'utf8')) as DatabaseManifest;
  if (manifest.format !== 'pixsim-ejson-1') throw new Error(`${from}: unknown backup format ${manifest.format}`);
  const batchSize = opts.batchSize ?? 500;
  for (const c of manifest.collections) {
    const coll = db.collection(c.name);
    if (opts.drop) await coll.drop().catch(() => {});
    else if ((await coll.estimatedDocumentCount()) > 0)
      throw new Error(`${db.databaseName}.${c.name} is not empty: restore into a fresh database, or pass --drop`);
    // Indexes first: a unique index then guards the restored data as it would the live one.
    const indexes = JSON.parse(await readFile(path.join(from, `${c.name}.indexes.json`), 'utf8')) as Document[];
    await db.createCollection(c.name).catch(() => {});
    if (indexes.length) {
      await coll.createIndexes(
        indexes.map(({ v: _v, ns: _ns, key, ...rest }) => ({ key, ...rest }) as mongoose.mongo.IndexDescription),
      );
    }
    const lines = createInterface({
      input: createReadStream(path.join(from, `${c.name}.ejson.gz`)).pipe(createGunzip()),
      crlfDelay: Infinity,
    });
    let batch: Document[] = [];
    let restored = 0;
    for await (const line of lines) {
      if (!line) continue;
      batch.push(EJSON.parse(line, { relaxed: false }) as Document);
      if (batch.length >= batchSize) {
        await coll.insertMany(batch, { ordered: false });
        restored += batch.length;
        batch = [];
      }
    }
    if (batch.length) await coll.insertMany(batch, { ordered: false });
    restored += batch.length;
    if (restored !== c.documents)
      throw new Error(`${db.databaseName}.${c.name}: restored ${restored} documents, the backup holds ${c.documents}`);
  }
  return manifest;
}

/** Removes all but the newest `keep` backup runs (directories named by their ISO time) under `dir`. */
export async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const runs = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && /^\d{4}-\d{2}-\d{2}T/.test(e.name))
    .map((e) => e.name)
    .sort();
  const old = runs.slice(0, Math.max(0, runs.length - keep));
  for (const name of old) await rm(path.join(dir, name), { recursive: true, force: true });
  return old;
}

/** A run's directory name: sortable, and valid on every filesystem (no colons). */
export const runName = (at: Date): string =>
  at
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
