import { isDeepStrictEqual } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { mongo } from 'mongoose';
import { TransientError } from '@pixsim/contracts';
import { isDuplicateKey } from './duplicate-key.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import type { TypedCollection } from './model.js';

/** A record folded from events: `version` orders its writes. */
export interface Versioned {
  _id: string;
  version: number;
}

export interface FoldStoreOptions<T extends Versioned, E> {
  collection: TypedCollection<T>;
  /** The collection's group commit, when the store writes to it by other paths too (one batcher per collection). */
  writes?: GroupCommit<T>;
  /** The record after `event`, from the stored one (null: none yet). Its `version` is ignored. */
  fold(current: T | null, id: string, event: E): T;
  /** Whether the event changed nothing worth a write (default: deep equality). */
  same?(current: T, next: T): boolean;
  /** Records kept in memory after a write, so the next event of a record needs no read. */
  cacheSize?: number;
  /**
   * How long a fold applied with `{ linger: true }` waits for others to share its round trip,
   * in ms (a second group commit on the collection). For folds no caller waits on, such as
   * a read model's: at a steady rate each would otherwise be a round trip of its own. Every
   * write is conditional on the version either way, so the two batches never lose an update.
   */
  lingerMs?: number;
  /** Lost races in a row before giving up (the bus retries the event later). */
  maxConflicts?: number;
  /** Fields another writer sets without a version bump: a fold's update never overwrites them. */
  preserve?: readonly (keyof T & string)[];
  /** Events that are a record's first as a rule: their insert is tried without reading. */
  insertUnread?(event: E): boolean;
  /** Names the error thrown after `maxConflicts` (default code WRITE_CONFLICT). */
  conflictCode?: string;
  /**
   * The error thrown after `maxConflicts`. Default: a retryable TransientError (the bus
   * retries it without spending the entry's attempts); a plain Error is dead-lettered
   * once the attempts run out.
   */
  conflictError?(message: string): Error;
}

export interface FoldResult<T> {
  record: T;
  /** What was stored before this event, null when there was nothing. */
  previous: T | null;
}

/** How one fold is written. */
export interface ApplyOptions {
  /** No one waits on this write but the event's acknowledgement: it may linger (`lingerMs`). */
  linger?: boolean;
}

export interface FoldStore<T extends Versioned, E> {
  apply(id: string, event: E, opts?: ApplyOptions): Promise<FoldResult<T>>;
  /** Reads from the primary: the fold's own writes must be seen. */
  get(id: string): Promise<T | null>;
  /** A record written by another path of the store (kept so its next event needs no read). */
  remember(record: T): void;
}

const noop = (): void => {};

/**
 * The optimistic fold: every write is conditional on the version it was computed from,
 * so the cache of recent records can only cost a retry, never a lost update. A record
 * another writer changed meanwhile fails the condition (or, when new, the insert fails on
 * `_id`) and is read again. Events of one record come close together, which is what makes
 * a small cache save most reads.
 */
export function createFoldStore<T extends Versioned, E>(opts: FoldStoreOptions<T, E>): FoldStore<T, E> {
  const { collection } = opts;
  const same = opts.same ?? isDeepStrictEqual;
  const maxConflicts = opts.maxConflicts ?? 20;
  const preserve = new Set<string>(opts.preserve ?? []);
  const recent = new LRUCache<string, T>({ max: opts.cacheSize ?? 20_000 });
  const byId = (id: string) => ({ _id: id }) as mongo.Filter<T & mongo.Document>;
  // Folds of many records handled at once share round trips (one bulkWrite per batch).
  const writes = opts.writes ?? createGroupCommit<T>(collection);
  const lingering = opts.lingerMs ? createGroupCommit<T>(collection, { lingerMs: opts.lingerMs }) : writes;
  /** A write that lost to another writer (a unique-key refusal) reads as false. */
  const won = (write: Promise<unknown>): Promise<boolean> =>
    write.then(
      () => true,
      (err: unknown) => {
        if (isDuplicateKey(err)) return false;
        throw err;
      },
    );

  const read = (id: string) => collection.findOne(byId(id), { readPreference: 'primary' }) as Promise<T | null>;

  /** One round: null when another writer got there first. */
  async function tryApply(id: string, current: T | null, event: E, writes: GroupCommit<T>): Promise<T | null> {
    const folded = opts.fold(current, id, event);
    if (current && same(current, { ...folded, version: current.version })) return current;
    const next = { ...folded, _id: id, version: (current?.version ?? 0) + 1 } as T;
    if (!current) {
      const inserted = await won(
        writes.write({ insertOne: { document: next as mongo.OptionalId<T & mongo.Document> } }),
      );
      return inserted ? next : null;
    }
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(next)) if (key !== '_id' && !preserve.has(key)) set[key] = value;
    // Conditional on the version, as an upsert: when another writer moved the record on,
    // the filter misses and the insert it falls back to collides on `_id`, so a lost race
    // comes back as this write's own duplicate-key refusal even inside a batch (a batch's
    // matched count is only a total). A record gone meanwhile is written whole again, as
    // a fold from nothing would have.
    const updated = await won(
      writes.write({
        updateOne: {
          filter: { _id: id, version: current.version } as mongo.Filter<T & mongo.Document>,
          update: { $set: set } as mongo.UpdateFilter<T & mongo.Document>,
          upsert: true,
        },
      }),
    );
    return updated ? next : null;
  }

  async function applyNow(id: string, event: E, applyOpts: ApplyOptions | undefined): Promise<FoldResult<T>> {
    const via = applyOpts?.linger ? lingering : writes;
    let current = recent.get(id);
    let unread = current === undefined && (opts.insertUnread?.(event) ?? false);
    for (let i = 0; i < maxConflicts; i++) {
      const base = current ?? (unread ? null : await read(id));
      unread = false;
      const applied = await tryApply(id, base, event, via);
      if (applied) {
        recent.set(id, applied);
        return { record: applied, previous: base };
      }
      recent.delete(id);
      current = undefined;
    }
    const message = `${collection.collectionName} ${id}: ${maxConflicts} write conflicts in a row`;
    throw opts.conflictError?.(message) ?? new TransientError(message, { code: opts.conflictCode ?? 'WRITE_CONFLICT' });
  }

  /**
   * The fold of each record's previous event still being written, so that the next one of
   * the same record folds from what it wrote instead of racing it: two events of a job a few
   * ms apart would otherwise fold from the same version, and one would lose, read again and
   * retry (a lingering batch makes that the rule). Entries leave once their write is done.
   */
  const folding = new Map<string, Promise<unknown>>();

  return {
    async apply(id, event, applyOpts) {
      const before = folding.get(id);
      const mine = before
        ? before.then(noop, noop).then(() => applyNow(id, event, applyOpts))
        : applyNow(id, event, applyOpts);
      folding.set(id, mine);
      try {
        return await mine;
      } finally {
        if (folding.get(id) === mine) folding.delete(id);
      }
    },
    get: read,
    remember: (record) => void recent.set(record._id, record),
  };
}
