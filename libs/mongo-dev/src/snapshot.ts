import { readFile, rename, writeFile } from 'node:fs/promises';
import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';
import type { Logger } from './logger.js';
import type { Store } from './store.js';

/*
 * File format: a plain sequence of BSON documents. `{ c: { db, name, indexes } }` opens a
 * collection and each following `{ d: <document> }` belongs to it. One BSON document per
 * stored document keeps us clear of the 16 MiB limit a single envelope would hit.
 */

export async function loadSnapshot(path: string, store: Store, logger: Logger): Promise<void> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  let current: ReturnType<Store['ensure']>['coll'] | undefined;
  let skipped = 0;
  const refused: string[] = [];
  for (let offset = 0; offset + 4 <= buf.length; ) {
    const size = buf.readInt32LE(offset);
    if (size < 5 || offset + size > buf.length) throw new Error(`snapshot ${path} is truncated at byte ${offset}`);
    const record = deserialize(buf.subarray(offset, offset + size));
    offset += size;
    if (record.c) {
      const { db, name, indexes } = record.c as { db: string; name: string; indexes: Document[] };
      current = store.ensure(db, name).coll;
      for (const spec of indexes) {
        if (spec.name === '_id_') continue;
        // A snapshot written before indexes were checked may hold one mongod would refuse:
        // the data still loads, and the service that asks for the index again gets the refusal.
        try {
          current.createIndex(spec);
        } catch (err) {
          refused.push(`${db}.${name} ${String(spec.name)} (${(err as Error).message})`);
        }
      }
    } else if (record.d && current) {
      try {
        current.insert(record.d as Document);
      } catch {
        skipped++;
      }
    }
  }
  for (const index of refused) logger.warn(`mongo-dev: index ${index} in ${path} was not restored`);
  if (skipped) logger.warn(`mongo-dev: ${skipped} documents in ${path} broke a unique index and were skipped`);
}

export async function writeSnapshot(path: string, store: Store): Promise<void> {
  const parts: Uint8Array[] = [];
  for (const db of store.databases()) {
    for (const coll of store.collections(db)) {
      parts.push(serialize({ c: { db, name: coll.name, indexes: coll.listIndexes() } }));
      for (const doc of coll.all()) parts.push(serialize({ d: doc }, { ignoreUndefined: true }));
    }
  }
  // Write then rename, so a crash mid-write never leaves a half snapshot behind.
  const tmp = `${path}.${process.pid}.tmp`;
  // Owner-only: it holds every service's data (password hashes, sealed keys).
  await writeFile(tmp, Buffer.concat(parts), { mode: 0o600 });
  await rename(tmp, path);
}
