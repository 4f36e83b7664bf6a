import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabase, pruneBackups, restoreDatabase, runName } from '../../scripts/backup/mongo-backup.js';

const { Binary, Decimal128, ObjectId } = mongoose.mongo;
let client: mongoose.mongo.MongoClient;
let dir: string;
const tag = randomUUID().slice(0, 8);
const source = `t-bk-${tag}`;
const target = `t-rs-${tag}`;

beforeAll(async () => {
  client = await new mongoose.mongo.MongoClient(process.env.MONGODB_URI!).connect();
  dir = await mkdtemp(path.join(tmpdir(), 'pixsim-mongo-backup-'));
});
afterAll(async () => {
  await client.db(source).dropDatabase();
  await client.db(target).dropDatabase();
  await client.close();
  await rm(dir, { recursive: true, force: true });
});

describe('scripts/backup.ts: logical MongoDB backups', () => {
  it('when a database is backed up and restored elsewhere, then every document comes back with its BSON types, and the indexes with their options', async () => {
    const jobs = client.db(source).collection<{ _id: string }>('jobs');
    const docs = Array.from({ length: 1_203 }, (_, i) => ({
      _id: `job-${String(i).padStart(5, '0')}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      oid: new ObjectId(),
      sealed: new Binary(Buffer.from([i % 256, 1, 2, 3])),
      cost: Decimal128.fromString(`${i}.25`),
      nested: { tries: i % 3, tags: ['a', 'b'] },
    }));
    await jobs.insertMany(docs);
    await jobs.createIndex({ at: 1 }, { name: 'by_at' });
    await jobs.createIndex({ oid: 1 }, { name: 'oid_unique', unique: true });
    await client
      .db(source)
      .collection('empty')
      .insertOne({ _id: 'x' } as never);
    await client.db(source).collection('empty').deleteMany({});

    const manifest = await backupDatabase(client.db(source), dir);
    expect(manifest.collections).toEqual([
      { name: 'empty', documents: 0, indexes: 0 },
      { name: 'jobs', documents: 1_203, indexes: 2 },
    ]);

    await restoreDatabase(client.db(target), path.join(dir, source), { batchSize: 100 });
    const restored = await client
      .db(target)
      .collection('jobs')
      .find({}, { sort: { _id: 1 } })
      .toArray();
    expect(restored).toEqual(docs);
    expect(restored[7]!.at).toBeInstanceOf(Date);
    expect(restored[7]!.oid).toBeInstanceOf(ObjectId);
    const indexes = await client.db(target).collection('jobs').indexes();
    expect(indexes.find((i) => i.name === 'oid_unique')).toMatchObject({ key: { oid: 1 }, unique: true });
    expect(indexes.find((i) => i.name === 'by_at')).toMatchObject({ key: { at: 1 } });
  });

  it('when the target already holds documents, then the restore refuses unless told to drop them', async () => {
    await expect(restoreDatabase(client.db(target), path.join(dir, source))).rejects.toThrow(/not empty/);
    await client
      .db(target)
      .collection('jobs')
      .insertOne({ _id: 'stray' } as never);
    await restoreDatabase(client.db(target), path.join(dir, source), { drop: true });
    expect(await client.db(target).collection('jobs').countDocuments()).toBe(1_203);
  });

  it('when runs pile up, then only the newest are kept', async () => {
    const runs = path.join(dir, 'runs');
    for (const h of [1, 2, 3, 4]) {
      const name = runName(new Date(Date.UTC(2026, 0, 1, h)));
      await mkdir(path.join(runs, name), { recursive: true });
    }
    const removed = await pruneBackups(runs, 2);
    expect(removed).toEqual(['2026-01-01T01-00-00Z', '2026-01-01T02-00-00Z']);
    expect((await readdir(runs)).sort()).toEqual(['2026-01-01T03-00-00Z', '2026-01-01T04-00-00Z']);
  });
});
