import type { mongo } from 'mongoose';
import type { TypedCollection } from './model.js';

/**
 * The writes a group commit carries. A batch of single-document writes is a retryable
 * write (the driver sends it again after a lost connection); one holding an `updateMany`
 * is not, so such writes must be safe for their callers to repeat.
 */
export type SingleWrite<T> =
  | { insertOne: mongo.InsertOneModel<T & mongo.Document> }
  | { updateOne: mongo.UpdateOneModel<T & mongo.Document> }
  | { updateMany: mongo.UpdateManyModel<T & mongo.Document> }
  | { replaceOne: mongo.ReplaceOneModel<T & mongo.Document> }
  | { deleteOne: mongo.DeleteOneModel<T & mongo.Document> };

export interface GroupCommit<T> {
  /**
   * Queues one write and resolves once the batch it went out in is acknowledged. A write
   * the server refused rejects with that write's own error (code, keyPattern: a duplicate
   * key reads as one to `isDuplicateKey`); the batch's other writes are unaffected.
   */
  write(op: SingleWrite<T>): Promise<WriteOutcome>;
}

/** What one write did, as far as a batch's reply tells it apart. */
export interface WriteOutcome {
  /** An upsert that inserted (it matched nothing). */
  upserted: boolean;
}

export interface GroupCommitOptions {
  /** Writes per batch at most (MongoDB itself splits above 100,000). */
  maxBatch?: number;
  /** Batches on the wire at once; what arrives meanwhile waits and goes out together. */
  maxInFlight?: number;
  /**
   * How long the first write of an idle spell waits for others, in ms (0: none, it leaves at
   * the end of the event loop's turn). For writes no one is waiting on, such as history
   * rows: at a steady few events a second every write would otherwise be a round trip of
   * its own. While a batch is on the wire nothing lingers: what queued goes out when it returns.
   */
  lingerMs?: number;
}

/** One write the server refused, inside a batch that went through. */
export class BatchedWriteError extends Error {
  override readonly name = 'BatchedWriteError';
  readonly code: number | undefined;
  readonly keyPattern: Record<string, unknown> | undefined;
  readonly keyValue: Record<string, unknown> | undefined;

  constructor(raw: {
    code?: number;
    errmsg?: string;
    keyPattern?: Record<string, unknown>;
    keyValue?: Record<string, unknown>;
  }) {
    super(raw.errmsg ?? `write refused (code ${raw.code})`);
    this.code = raw.code;
    this.keyPattern = raw.keyPattern;
    this.keyValue = raw.keyValue;
  }
}

interface Pending<T> {
  op: SingleWrite<T>;
  resolve(outcome: WriteOutcome): void;
  reject(err: unknown): void;
}

interface RawWriteError {
  index: number;
  code?: number;
  errmsg?: string;
  keyPattern?: Record<string, unknown>;
  keyValue?: Record<string, unknown>;
}

/** The per-write refusals of an unordered bulk write, or null when the whole batch failed. */
function refusalsOf(err: unknown): Map<number, RawWriteError> | null {
  const e = err as { writeErrors?: unknown; writeConcernError?: unknown };
  if (e?.writeConcernError || e?.writeErrors === undefined) return null;
  const list = (Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) as Array<{ err?: RawWriteError }>;
  const byIndex = new Map<number, RawWriteError>();
  for (const w of list) {
    const raw = (w.err ?? w) as RawWriteError;
    byIndex.set(raw.index, raw);
  }
  return byIndex;
}

/**
 * A group commit on one collection: writes issued while a batch is on the wire go out
 * together in the next one, as one unordered `bulkWrite`. Under light load every write
 * leaves at once, alone (no linger, no added latency, unless `lingerMs` asks for one);
 * under load the batch grows with the queue, so round trips per write fall as traffic
 * rises. The first write of an idle spell waits for the end of the current turn of the
 * event loop, so that handlers woken by the same reply share a batch.
 *
 * Each caller learns its own write's fate, as it would from `insertOne`/`updateOne`; a
 * batch that fails as a whole (network, write concern) rejects every write in it, each of
 * which the caller retries as it would have retried its own.
 */
export function createGroupCommit<T>(collection: TypedCollection<T>, opts: GroupCommitOptions = {}): GroupCommit<T> {
  const maxBatch = opts.maxBatch ?? 1_000;
  const maxInFlight = opts.maxInFlight ?? 1;
  const lingerMs = opts.lingerMs ?? 0;
  let queue: Pending<T>[] = [];
  let inFlight = 0;
  let scheduled = false;
  let lingering: NodeJS.Timeout | undefined;

  const send = async (batch: Pending<T>[]): Promise<void> => {
    try {
      const res = await collection.bulkWrite(
        batch.map((p) => p.op as mongo.AnyBulkWriteOperation<T & mongo.Document>),
        { ordered: false },
      );
      for (const [i, p] of batch.entries()) p.resolve({ upserted: i in res.upsertedIds });
    } catch (err) {
      const refused = refusalsOf(err);
      const upsertedIds = (err as { result?: { upsertedIds?: Record<number, unknown> } }).result?.upsertedIds ?? {};
      batch.forEach((p, i) => {
        const own = refused?.get(i);
        if (!refused) p.reject(err);
        else if (own) p.reject(new BatchedWriteError(own));
        else p.resolve({ upserted: i in upsertedIds });
      });
    }
  };

  const pump = (): void => {
    scheduled = false;
    clearTimeout(lingering);
    lingering = undefined;
    while (queue.length && inFlight < maxInFlight) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    write(op) {
      return new Promise<WriteOutcome>((resolve, reject) => {
        queue.push({ op, resolve, reject });
        if (inFlight >= maxInFlight) return; // it goes out when a batch on the wire returns
        if (lingering && queue.length >= maxBatch)
          pump(); // a full batch waits no longer
        else if (!scheduled) {
          scheduled = true;
          if (lingerMs > 0) lingering = setTimeout(pump, lingerMs);
          else setImmediate(pump);
        }
      });
    },
  };
}
