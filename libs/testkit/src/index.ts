import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { ConsumedEvent, PublishInput } from '@pixsim/bus';
import { eventIds, type EventData, type EventType } from '@pixsim/contracts';

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

/**
 * Commands the server has received so far for one collection of `conn`'s database (mongo-dev
 * and mongod both answer `top`): a test's count of round trips.
 */
export async function commandsOn(conn: Connection, collection: string): Promise<number> {
  const { totals } = (await conn.db!.admin().command({ top: 1 })) as {
    totals: Record<string, { total?: { count: number } }>;
  };
  return totals[`${conn.db!.databaseName}.${collection}`]?.total?.count ?? 0;
}

/**
 * Deletes a test's Redis keys: its streams, groups and locks (`<prefix>:…`) and its dead letters
 * and publish marks (`{<prefix>:…}:…`, hash-tagged to their stream's slot). SCAN, not KEYS, so a
 * shared Redis full of other tests' keys is not blocked while it looks.
 */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length) await redis.unlink(...found);
    } while (cursor !== '0');
  }
}

/**
 * Resolves with the first truthy answer of `check` (a condition that holds, or the value it
 * waited for); rejects after `timeoutMs`, naming what was awaited. An error `check` throws ends the wait.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const answer = await check();
    if (answer) return answer as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback port free at the time of asking (bound, then released), for a server the test starts. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A handler's view of a published event, as the bus delivers it the first time. */
export function delivered<E extends EventType>(input: PublishInput<E>): ConsumedEvent<E> {
  return {
    id: input.id,
    type: input.type,
    v: 1,
    at: input.at ?? new Date().toISOString(),
    data: input.data,
    streamId: '0-1',
    deliveries: 1,
    attempt: 1,
    signal: new AbortController().signal,
  };
}

/** A JOB_REQUESTED's data (a text_to_video the provider accepts, by default). */
export function jobRequestedData(
  jobId = 'job-1',
  over: Partial<EventData<'JOB_REQUESTED'>> = {},
): EventData<'JOB_REQUESTED'> {
  return {
    job_id: jobId,
    user_id: 'u1',
    operation_type: 'text_to_video',
    provider_id: 'pixverse',
    params: { prompt: 'a heron', model: 'v5' },
    priority: 5,
    name: null,
    description: null,
    workspace_id: null,
    scheduled_at: null,
    requested_at: new Date().toISOString(),
    ...over,
  };
}

/** A JOB_FAILED (the poller's timeout, by default), ready to publish. */
export function jobFailed(jobId = 'job-1', over: Partial<EventData<'JOB_FAILED'>> = {}): PublishInput<'JOB_FAILED'> {
  return {
    type: 'JOB_FAILED',
    id: eventIds.jobFailed(jobId),
    data: {
      job_id: jobId,
      stage: 'poll',
      error_code: 'TIMEOUT',
      error_message: 'x',
      retry_count: 0,
      account_id: null,
      provider_job_id: null,
      failed_at: new Date().toISOString(),
      ...over,
    },
  };
}
