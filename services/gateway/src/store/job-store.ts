import { Schema, type Connection } from 'mongoose';
import type { JobEvent } from '@pixsim/contracts';
import { createFoldStore, defineModel } from '@pixsim/persistence';
import { afterCursor, NEWEST_FIRST } from '../http/pagination.js';
import { foldJob, sameJob, withPurgeAt, type JobRecord } from '../read-model/job-record.js';
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
    purge_at: Date,
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
// Retention: a settled job's record expires at its purge_at (unset while it runs).
jobSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

/** Settled jobs' records are kept this long after the job ended, then expire (TTL index on `purge_at`). */
export const DEFAULT_JOB_RETENTION_DAYS = 90;

/**
 * How long the fold of a consumed event waits for others to share its round trip, in ms. The
 * view and its live update come this much later, a moment beside a generation's minutes; at
 * a steady 25 jobs/s the folds were four round trips per job, one for each event.
 * A submission's own write (POST) never waits.
 */
export const READ_MODEL_LINGER_MS = 50;

export const jobModel = defineModel<JobRecord>('Job', jobSchema);

/**
 * Writes are conditional on the version they were folded from (the shared fold store),
 * so the cache of recently written records can only cost a retry, never a lost update.
 * A request is the job's first event as a rule (its id was just made): its insert is
 * tried unread.
 */
export async function createJobStore(
  conn: Connection,
  opts: { cacheSize?: number; retentionDays?: number } = {},
): Promise<JobStore> {
  const Job = jobModel.model(conn);
  await Job.init();
  const retentionMs = (opts.retentionDays ?? DEFAULT_JOB_RETENTION_DAYS) * 86_400_000;
  const folds = createFoldStore<JobRecord, JobEvent>({
    collection: jobModel.collection(conn),
    fold: (current, jobId, event) => withPurgeAt(foldJob(current, jobId, event), retentionMs),
    same: sameJob,
    cacheSize: opts.cacheSize,
    insertUnread: (event) => event.type === 'JOB_REQUESTED',
    conflictCode: 'READ_MODEL_CONFLICT',
    lingerMs: READ_MODEL_LINGER_MS,
  });

  return {
    async apply(jobId, event, applyOpts) {
      return (await folds.apply(jobId, event, applyOpts)).record;
    },
    async get(jobId) {
      // The client reads its own submission, written by this gateway a moment ago.
      return Job.findOne({ _id: jobId, created_at: { $ne: null } })
        .read('primary')
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
