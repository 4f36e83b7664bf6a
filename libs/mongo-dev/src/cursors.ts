import { calculateObjectSize, Long } from 'bson';
import type { Document } from 'bson';
import { CommandError } from './errors.js';

const DEFAULT_FIRST_BATCH = 101;
// A reply must stay under maxMessageSizeBytes; mongod caps batches near 16 MiB as well.
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  pos: number;
  touched: number;
}

/** Server-side cursors over materialised results (a snapshot taken when the query ran). */
export class Cursors {
  private readonly open = new Map<string, OpenCursor>();
  private nextId = 1 + Math.floor(Math.random() * 1e9);

  first(ns: string, docs: Document[], batchSize?: number, singleBatch = false): Document {
    this.sweep();
    const cursor: OpenCursor = { ns, docs, pos: 0, touched: Date.now() };
    const firstBatch = take(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.pos < docs.length) {
      id = this.nextId++;
      this.open.set(String(id), cursor);
    }
    return { cursor: { firstBatch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  more(rawId: unknown, batchSize?: number): Document {
    const key = String(Long.fromValue(rawId as Long | number | string));
    const cursor = this.open.get(key);
    if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${key} not found`);
    cursor.touched = Date.now();
    const nextBatch = take(cursor, batchSize && batchSize > 0 ? batchSize : Infinity);
    const done = cursor.pos >= cursor.docs.length;
    if (done) this.open.delete(key);
    return { cursor: { nextBatch, id: done ? Long.ZERO : Long.fromString(key), ns: cursor.ns }, ok: 1 };
  }

  kill(ids: unknown[]): Document {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const raw of ids) {
      const id = Long.fromValue(raw as Long | number | string);
      (this.open.delete(String(id)) ? killed : notFound).push(id);
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  clear(): void {
    this.open.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, c] of this.open) if (c.touched < cutoff) this.open.delete(id);
  }
}

function take(cursor: OpenCursor, limit: number): Document[] {
  const batch: Document[] = [];
  let bytes = 0;
  while (cursor.pos < cursor.docs.length && batch.length < limit) {
    const doc = cursor.docs[cursor.pos] as Document;
    bytes += calculateObjectSize(doc);
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(doc);
    cursor.pos++;
  }
  return batch;
}
