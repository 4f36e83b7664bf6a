import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { start, ttlMonitorPeriod } from '../src/index.js';
import type { MongoDevServer } from '../src/index.js';
import { refusal } from './refusal.js';

// These run against a mongo-dev of their own: a real mongod's monitor runs every 60 s.
const MONITOR_MS = 50;
const open: Array<{ server: MongoDevServer; conn: mongoose.Connection }> = [];

afterEach(async () => {
  for (const { server, conn } of open.splice(0)) {
    await conn.close();
    await server.stop();
  }
});

async function serve(opts: { snapshotPath?: string; ttlMonitorMs?: number } = {}) {
  const server = await start({ port: 0, ttlMonitorMs: MONITOR_MS, ...opts });
  const conn = await mongoose.createConnection(server.uri, { dbName: 'ttl' }).asPromise();
  open.push({ server, conn });
  return { server, conn, db: conn.db! };
}

/** Polls until `check` holds, for up to `ms`: the monitor is a timer, not a hook. */
async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ago = (s: number): Date => new Date(Date.now() - s * 1000);

describe('TTL indexes', () => {
  it('when a date is older than expireAfterSeconds, then the monitor removes the document and keeps the rest', async () => {
    const { db } = await serve();
    const coll = db.collection<{ _id: string; at?: unknown }>('sessions');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
    await coll.insertMany([
      { _id: 'old', at: ago(120) },
      { _id: 'fresh', at: ago(1) },
      { _id: 'string', at: ago(120).toISOString() },
      { _id: 'number', at: Date.now() - 120_000 },
      { _id: 'none' },
      { _id: 'array', at: [ago(1), ago(600)] },
      { _id: 'array-fresh', at: [ago(1), 'x'] },
    ]);
    await eventually(async () => (await coll.countDocuments()) === 5);
    await new Promise((r) => setTimeout(r, MONITOR_MS * 3));
    const left = (await coll.find().toArray()).map((d) => d._id).sort();
    expect(left).toEqual(['array-fresh', 'fresh', 'none', 'number', 'string']);
  });

  it('when expireAfterSeconds is 0, then a document expires at the date it holds', async () => {
    const { db } = await serve();
    const coll = db.collection<{ _id: string; purge_at: Date }>('jobs');
    await coll.createIndex({ purge_at: 1 }, { expireAfterSeconds: 0 });
    await coll.insertMany([
      { _id: 'due', purge_at: ago(0.2) },
      { _id: 'later', purge_at: new Date(Date.now() + 3_600_000) },
    ]);
    await eventually(async () => (await coll.countDocuments()) === 1);
    expect(await coll.findOne()).toMatchObject({ _id: 'later' });
  });

  it('when a TTL index is partial, then only documents matching its filter expire', async () => {
    const { db } = await serve();
    const coll = db.collection<{ _id: string; at: Date; done: boolean }>('partial');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 1, partialFilterExpression: { done: true } });
    await coll.insertMany([
      { _id: 'done', at: ago(10), done: true },
      { _id: 'open', at: ago(10), done: false },
    ]);
    await eventually(async () => (await coll.countDocuments()) === 1);
    expect(await coll.findOne()).toMatchObject({ _id: 'open' });
  });

  it('when a document expires, then its unique key is free again and the snapshot no longer holds it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mongo-dev-ttl-'));
    const snapshotPath = join(dir, 'data.bson');
    try {
      const first = await serve({ snapshotPath });
      const coll = first.db.collection('keys');
      await coll.createIndex({ key: 1 }, { unique: true });
      await coll.createIndex({ at: 1 }, { expireAfterSeconds: 1 });
      await coll.insertOne({ key: 'k', at: ago(5) });
      await eventually(async () => (await coll.countDocuments({ key: 'k' })) === 0);
      expect(await coll.countDocuments({ at: { $lt: new Date() } })).toBe(0);
      await coll.insertOne({ key: 'k', at: new Date(Date.now() + 3_600_000) });
      expect((await refusal(coll.insertOne({ key: 'k' }))).code).toBe(11000);
      await first.conn.close();
      await first.server.stop();
      open.splice(0);

      const second = await serve({ snapshotPath, ttlMonitorMs: 60_000 });
      const docs = await second.db.collection('keys').find().toArray();
      expect(docs).toHaveLength(1);
      expect(docs[0]!.at.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when no period is given, then the monitor runs every 60 s, or as MONGO_DEV_TTL_MONITOR_MS says', () => {
    expect(ttlMonitorPeriod(undefined, {})).toBe(60_000);
    expect(ttlMonitorPeriod(undefined, { MONGO_DEV_TTL_MONITOR_MS: '250' })).toBe(250);
    expect(ttlMonitorPeriod(1_000, { MONGO_DEV_TTL_MONITOR_MS: '250' })).toBe(1_000);
    expect(() => ttlMonitorPeriod(undefined, { MONGO_DEV_TTL_MONITOR_MS: 'soon' })).toThrow(/positive integer/);
  });

  it('when the monitor period is the default, then nothing expires within a test', async () => {
    const { db } = await serve({ ttlMonitorMs: 60_000 });
    const coll = db.collection('slow');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await coll.insertOne({ at: ago(10) });
    await new Promise((r) => setTimeout(r, 200));
    expect(await coll.countDocuments()).toBe(1);
  });
});
