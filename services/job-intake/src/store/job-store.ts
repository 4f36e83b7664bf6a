import { isDeepStrictEqual } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import {
  applyJobEvent,
  initialJobFacts,
  jobStatusView,
  type EventData,
  type JobEvent,
  type JobFacts,
} from '@pixsim/contracts';

/** The job as the system of record keeps it: the request, the status facts, the derived view. */
export interface JobRecord {
  _id: string;
  request: EventData<'JOB_REQUESTED'> | null;
  facts: JobFacts;
  status: string;
  version: number;
  updated_at: Date;
}

export interface JobStore {
  /**
   * Records the request once; a repeat returns what is already stored. `first`, the
   * event the request leads to, is folded into a record created here in the same write.
   */
  recordRequest(request: EventData<'JOB_REQUESTED'>, first?: JobEvent): Promise<JobRecord & { firstTime: boolean }>;
  /** Folds one event into the job's facts (optimistic concurrency; order-independent); says what they were before. */
  apply(jobId: string, event: JobEvent): Promise<JobRecord & { previous: Pick<JobRecord, 'status' | 'facts'> }>;
  get(jobId: string): Promise<JobRecord | null>;
}

export interface JobStoreOptions {
  /** Records kept in memory after a write, so the next event of a job needs no read. */
  cacheSize?: number;
}

const MAX_CAS_RETRIES = 20;

/**
 * Every write is conditional on the version it was computed from, so the cache
 * of recent records can only cost a retry, never a lost update: a record that
 * another replica changed meanwhile fails the condition and is read again.
 * A job's events arrive within seconds of each other, which is what makes a
 * small cache save most reads (one read per event before it).
 */
export function createJobStore(conn: Connection, opts: JobStoreOptions = {}): JobStore {
  const model: Model<JobRecord> =
    conn.models.Job ??
    conn.model<JobRecord>(
      'Job',
      new Schema<JobRecord>(
        {
          _id: String,
          request: Schema.Types.Mixed,
          facts: Schema.Types.Mixed,
          status: { type: String, index: true },
          version: Number,
          updated_at: Date,
        },
        { versionKey: false, minimize: false },
      ),
    );
  // The native collection: these writes need no casting, and they run on every event.
  const jobs = model.collection;
  const recent = new LRUCache<string, JobRecord>({ max: opts.cacheSize ?? 20_000 });

  const fresh = (jobId: string): JobRecord => ({
    _id: jobId,
    request: null,
    facts: initialJobFacts(),
    status: 'PENDING',
    version: 0,
    updated_at: new Date(),
  });
  const read = async (jobId: string) => (await jobs.findOne({ _id: jobId } as never)) as JobRecord | null;
  const remember = (record: JobRecord): JobRecord => {
    recent.set(record._id, record);
    return record;
  };

  /** One optimistic round from `current`: null when another writer got there first. */
  async function tryApply(current: JobRecord, event: JobEvent): Promise<JobRecord | null> {
    const facts = applyJobEvent(current.facts, event);
    // A duplicate or already-known fact changes nothing, and costs no write.
    if (current.version > 0 && isDeepStrictEqual(facts, current.facts)) return current;
    const next: JobRecord = {
      ...current,
      facts,
      status: jobStatusView(facts).status,
      version: current.version + 1,
      updated_at: new Date(),
    };
    const { _id, request, ...changed } = next;
    try {
      // Version 0 is a record not written yet, or one holding only its request: an
      // upsert covers both, and a record someone else wrote meanwhile fails it.
      const res = await jobs.updateOne(
        { _id: current._id, version: current.version } as never,
        { $set: changed, $setOnInsert: { request: null } },
        { upsert: current.version === 0 },
      );
      if (res.matchedCount === 0 && res.upsertedCount === 0) return null;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return null; // lost an insert race: read again
      throw err;
    }
    return next;
  }

  return {
    async recordRequest(request, first) {
      const jobId = request.job_id;
      const blank = fresh(jobId);
      const facts = first ? applyJobEvent(blank.facts, first) : blank.facts;
      const {
        _id,
        request: _none,
        ...initial
      } = first ? { ...blank, facts, status: jobStatusView(facts).status, version: 1 } : blank;
      try {
        // Creates the record with its request, or fills the request into one a status event created first.
        const doc = await jobs.findOneAndUpdate(
          { _id: jobId, request: null } as never,
          { $set: { request }, $setOnInsert: initial },
          { upsert: true, returnDocument: 'after' },
        );
        if (doc) return { ...remember(doc as unknown as JobRecord), firstTime: true };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err; // the request is recorded already
      }
      const stored = await read(jobId);
      if (!stored) throw new Error(`job ${jobId}: the record vanished while its request was recorded`);
      return { ...remember(stored), firstTime: false };
    },

    async apply(jobId, event) {
      let current = recent.get(jobId);
      for (let i = 0; i < MAX_CAS_RETRIES; i++) {
        current ??= (await read(jobId)) ?? fresh(jobId);
        const applied = await tryApply(current, event);
        if (applied) return { ...remember(applied), previous: { status: current.status, facts: current.facts } };
        recent.delete(jobId);
        current = undefined;
      }
      throw new Error(`job ${jobId}: too much contention applying ${event.type}`);
    },

    async get(jobId) {
      return read(jobId);
    },
  };
}
