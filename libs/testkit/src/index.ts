import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';

/** Helpers the test suites share: MongoDB and Redis isolation, and waiting for a condition. */

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The MongoDB the suite runs against: MONGODB_URI, set by vitest's global setup (mongo-dev) or by the caller. */
export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run through vitest (its global setup starts mongo-dev) or set it');
  return uri;
}

/** A name no other test uses: `<label>-<8 hex>`, for a database or a stream prefix. */
export function uniqueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

export interface TestDb {
  conn: Connection;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

/** A connection to a database of its own (`<label>-<8 hex>`), for one test or one file. */
export async function openTestDb(label: string, opts: { dbName?: string } = {}): Promise<TestDb> {
  const conn = await mongoose
    .createConnection(mongoUri(), { dbName: opts.dbName ?? uniqueName(label), serverSelectionTimeoutMS: 2_000 })
    .asPromise();
  return {
    conn,
    async drop() {
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

/** Deletes every Redis key under `<prefix>:` (a test's streams, groups and locks). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.del(...found);
}

/** Resolves once `check` holds (or resolves truthy); rejects after `timeoutMs`, naming what was awaited. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
