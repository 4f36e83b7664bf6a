import { LRUCache } from 'lru-cache';
import { Schema, type Connection } from 'mongoose';
import { TransientError, type JobEvent } from '@pixsim/contracts';
import { afterCursor, NEWEST_FIRST } from '../http/pagination.js';
import { foldJob, sameJob, type JobRecord } from './job-record.js';
import { isDuplicateKey, modelOn } from './mongo-util.js';
import type { JobListQuery, JobStore } from './ports.js';

const { Mixed } = Schema.Types;

const jobSchema = new Schema(
  {
    _id: String,
    user_id: String,
    operation_type: String,
    provider_id: String,
    params: Mixed,
    priority: Number,
    name: String,
    description: String,
    workspace_id: String,
    scheduled_at: String,
    callback_url: String,
    created_at: Date,
    facts: Mixed,
    status: String,
    status_detail: String,
    error_code: String,
    error_message: String,
    retry_count: Number,
    provider_job_id: String,
    account_id: String,
    asset_id: String,
    started_at: String,
    completed_at: String,
    version: Number,
  },
  { collection: 'jobs', versionKey: false, minimize: false, strict: true },
);
// The list's orders: the caller's jobs (users) or all of them (admin), optionally by status.
jobSchema.index({ user_id: 1, created_at: -1, _id: -1 });
jobSchema.index({ user_id: 1, status: 1, created_at: -1, _id: -1 });
jobSchema.index({ status: 1, created_at: -1, _id: -1 });
jobSchema.index({ created_at: -1, _id: -1 });
jobSchema.index({ operation_type: 1, created_at: -1, _id: -1 });
// Stats: jobs that ended in the last hour.
jobSchema.index({ completed_at: -1 });

/** Conflicts in a row before giving up; the bus then retries the event with backoff. */
const MAX_CONFLICTS = 20;

/**
 * Writes are conditional on the version they were folded from, so the cache of
 * recently written records can only cost a retry, never a lost update: a record
 * another replica changed meanwhile fails the condition and is read again. A
 * job's events come within seconds of each other, so a small cache saves the read
 * that every event needed before.
 */
export async function createJobStore(conn: Connection, opts: { cacheSize?: number } = {}): Promise<JobStore> {
  const Job = modelOn<JobRecord>(conn, 'Job', jobSchema);
  await Job.init();
  const recent = new LRUCache<string, JobRecord>({ max: opts.cacheSize ?? 20_000 });

  /** One optimistic round: fold into `current`, write conditionally. Null on a conflict. */
  async function tryApply(jobId: string, current: JobRecord | null, event: JobEvent): Promise<JobRecord | null> {
    const next = foldJob(current, jobId, event);
    if (current && sameJob(current, next)) return current;
    const { _id, version, ...fields } = next;
    if (!current) {
      try {
        await Job.collection.insertOne({ _id: jobId, ...fields, version: 1 } as never);
        return { ...next, version: 1 };
      } catch (err) {
        if (isDuplicateKey(err)) return null; // another writer created it first: read again
        throw err;
      }
    }
    const res = await Job.collection.updateOne({ _id: jobId, version: current.version } as never, {
      $set: { ...fields, version: current.version + 1 },
    });
    return res.matchedCount === 1 ? { ...next, version: current.version + 1 } : null;
  }

  return {
    async apply(jobId, event) {
      let current = recent.get(jobId);
      // A request is the job's first event as a rule (its id was just made): try the insert unread.
      let unread = event.type === 'JOB_REQUESTED' && current === undefined;
      for (let i = 0; i < MAX_CONFLICTS; i++) {
        if (!unread)
          current ??= ((await Job.collection.findOne({ _id: jobId } as never)) as JobRecord | null) ?? undefined;
        unread = false;
        const applied = await tryApply(jobId, current ?? null, event);
        if (applied) {
          recent.set(jobId, applied);
          return applied;
        }
        recent.delete(jobId);
        current = undefined;
      }
      throw new TransientError(`job ${jobId}: ${MAX_CONFLICTS} write conflicts in a row`, {
        code: 'READ_MODEL_CONFLICT',
      });
    },
    async get(jobId) {
      return Job.findOne({ _id: jobId, created_at: { $ne: null } })
        .lean<JobRecord>()
        .exec();
    },
    async list(q: JobListQuery) {
      const filter: Record<string, unknown> = { created_at: { $ne: null }, ...afterCursor(q.after) };
      if (q.userId !== undefined) filter.user_id = q.userId;
      if (q.status !== undefined) filter.status = q.status;
      if (q.operationType !== undefined) filter.operation_type = q.operationType;
      if (q.providerId !== undefined) filter.provider_id = q.providerId;
      if (q.text !== undefined) filter.$and = [textFilter(q.text)];
      return Job.find(filter)
        .sort(NEWEST_FIRST)
        .limit(q.limit + 1)
        .lean<JobRecord[]>()
        .exec();
    },
  };
}

/**
 * A search: the job with that id, or jobs whose prompt contains the text. The prompt
 * match walks the newest-first index until a page is full, which is fast for common
 * words and bounded by the collection for rare ones; an exact id hits `_id`.
 */
function textFilter(text: string): Record<string, unknown> {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { $or: [{ _id: text }, { 'params.prompt': { $regex: escaped, $options: 'i' } }] };
}
