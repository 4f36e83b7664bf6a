import { isDeepStrictEqual } from 'node:util';
import { Schema, type Connection } from 'mongoose';
import {
  applyJobEvent,
  initialJobFacts,
  jobStatusView,
  type EventData,
  type JobEvent,
  type JobFacts,
} from '@pixsim/contracts';
import {
  createFoldStore,
  createGroupCommit,
  defineModel,
  isDuplicateKey,
  type ApplyOptions,
} from '@pixsim/persistence';
import { purgeAt } from './retention.js';

/** The job as the system of record keeps it: the request, the status facts, the derived view. */
export interface JobRecord {
  _id: string;
  request: EventData<'JOB_REQUESTED'> | null;
  facts: JobFacts;
  status: string;
  version: number;
  updated_at: Date;
  /** When the record expires: the job retention after the job ended (retention.ts); null while it runs. */
  purge_at: Date | null;
}

export interface JobStore {
  /**
   * Records the request once; a repeat returns what is already stored. `first`, the
   * event the request leads to, is folded into a record created here in the same write.
   */
  recordRequest(request: EventData<'JOB_REQUESTED'>, first?: JobEvent): Promise<JobRecord & { firstTime: boolean }>;
  /**
   * Folds one event into the job's facts (optimistic concurrency; order-independent); says
   * what they were before. `linger`: a status event's fold, which nothing downstream waits
   * on, may wait STATUS_LINGER_MS to share its round trip.
   */
  apply(
    jobId: string,
    event: JobEvent,
    opts?: ApplyOptions,
  ): Promise<JobRecord & { previous: Pick<JobRecord, 'status' | 'facts'> }>;
  get(jobId: string): Promise<JobRecord | null>;
}

/**
 * How long the fold of a status event (submitted, deferred, completed, failed, asset) waits
 * for others to share its round trip, in ms. Only the request's own write is on a job's way
 * to the provider; at a steady 25 jobs/s each status fold was a round trip of its own.
 */
const STATUS_LINGER_MS = 50;

export interface JobStoreOptions {
  /** Records kept in memory after a write, so the next event of a job needs no read. */
  cacheSize?: number;
  clock?: () => Date;
  /** How long an ended job's record is kept (PIXSIM_JOB_RETENTION_DAYS). */
  retentionMs: number;
}

const jobSchema = new Schema<JobRecord>(
  {
    _id: String,
    request: Schema.Types.Mixed,
    facts: Schema.Types.Mixed,
    status: { type: String, index: true },
    version: Number,
    updated_at: Date,
    purge_at: Date,
  },
  { versionKey: false, minimize: false },
);
// Retention: an ended job's record expires at its purge_at (null, never, while it runs).
jobSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

export const jobModel = defineModel<JobRecord>('Job', jobSchema);

/**
 * The job's facts are an optimistic fold (see createFoldStore). The request is written
 * by recordRequest alone, without a version bump, so the fold never writes it.
 */
export function createJobStore(conn: Connection, opts: JobStoreOptions): JobStore {
  const jobs = jobModel.collection(conn);
  // Requests and folds of a burst share round trips: one bulkWrite per batch for both.
  const writes = createGroupCommit(jobs);
  const clock = opts.clock ?? (() => new Date());
  const fresh = (jobId: string): JobRecord => ({
    _id: jobId,
    request: null,
    facts: initialJobFacts(),
    status: 'PENDING',
    version: 0,
    updated_at: clock(),
    purge_at: null,
  });
  const withEvent = (current: JobRecord, event: JobEvent): JobRecord => {
    const facts = applyJobEvent(current.facts, event);
    const purge_at = purgeAt(current.purge_at, facts, event, opts.retentionMs);
    return { ...current, facts, status: jobStatusView(facts).status, updated_at: clock(), purge_at };
  };
  const fold = createFoldStore<JobRecord, JobEvent>({
    collection: jobs,
    writes,
    fold: (current, jobId, event) => withEvent(current ?? fresh(jobId), event),
    // A duplicate or already-known fact changes nothing, and costs no write.
    same: (current, next) => current.version > 0 && current.status === next.status && sameFacts(current, next),
    preserve: ['request'],
    cacheSize: opts.cacheSize,
    lingerMs: STATUS_LINGER_MS,
    // A plain error, as before: dead-lettered once the entry's attempts run out.
    conflictError: (message) => new Error(message),
  });

  return {
    async recordRequest(request, first) {
      const jobId = request.job_id;
      const blank = fresh(jobId);
      const { _id, request: _none, ...initial } = first ? { ...withEvent(blank, first), version: 1 } : blank;
      try {
        // Creates the record with its request, or fills the request into one a status event created first.
        const { upserted } = await writes.write({
          updateOne: {
            filter: { _id: jobId, request: null },
            update: { $set: { request }, $setOnInsert: initial },
            upsert: true,
          },
        });
        if (upserted) {
          const doc: JobRecord = { _id: jobId, request, ...initial };
          fold.remember(doc);
          return { ...doc, firstTime: true };
        }
        // A status event created the record first: its facts are read back below.
        const filled = await fold.get(jobId);
        if (filled) {
          fold.remember(filled);
          return { ...filled, firstTime: true };
        }
      } catch (err) {
        if (!isDuplicateKey(err)) throw err; // otherwise the request is recorded already
      }
      const stored = await fold.get(jobId);
      if (!stored) throw new Error(`job ${jobId}: the record vanished while its request was recorded`);
      fold.remember(stored);
      return { ...stored, firstTime: false };
    },

    async apply(jobId, event, applyOpts) {
      const { record, previous } = await fold.apply(jobId, event, applyOpts);
      const before = previous ?? fresh(jobId);
      return { ...record, previous: { status: before.status, facts: before.facts } };
    },

    get: (jobId) => fold.get(jobId),
  };
}

function sameFacts(a: JobRecord, b: JobRecord): boolean {
  return isDeepStrictEqual(a.facts, b.facts);
}
