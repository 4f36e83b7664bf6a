import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import {
  applyJobEvent, initialJobFacts, jobStatusView, type EventData, type JobEvent, type JobFacts,
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
  /** Records the request once; a repeat returns what is already stored. */
  recordRequest(request: EventData<'JOB_REQUESTED'>): Promise<JobRecord>;
  /** Folds one event into the job's facts (optimistic concurrency; order-independent); says what the status was before. */
  apply(jobId: string, event: JobEvent): Promise<JobRecord & { previousStatus: string }>;
  get(jobId: string): Promise<JobRecord | null>;
}

const MAX_CAS_RETRIES = 20;

export function createJobStore(conn: Connection): JobStore {
  const model: Model<JobRecord> = conn.models.Job ?? conn.model<JobRecord>('Job', new Schema<JobRecord>({
    _id: String,
    request: Schema.Types.Mixed,
    facts: Schema.Types.Mixed,
    status: { type: String, index: true },
    version: Number,
    updated_at: Date,
  }, { versionKey: false, minimize: false }));

  const fresh = (jobId: string): JobRecord => ({
    _id: jobId, request: null, facts: initialJobFacts(), status: 'PENDING', version: 0, updated_at: new Date(),
  });

  return {
    async recordRequest(request) {
      const doc = await model.findOneAndUpdate(
        { _id: request.job_id },
        { $setOnInsert: { ...withoutId(fresh(request.job_id)) } },
        { upsert: true, returnDocument: 'after', lean: true },
      );
      if (doc!.request) return doc as JobRecord;
      // A status event may have created the record first; fill in the request.
      return (await model.findOneAndUpdate({ _id: request.job_id, request: null }, { $set: { request } }, { returnDocument: 'after', lean: true }))
        ?? (await model.findById(request.job_id).lean()) as JobRecord;
    },

    async apply(jobId, event) {
      for (let i = 0; i < MAX_CAS_RETRIES; i++) {
        const current = ((await model.findById(jobId).lean()) as JobRecord | null) ?? fresh(jobId);
        const facts = applyJobEvent(current.facts, event);
        const status = jobStatusView(facts).status;
        const next = { facts, status, version: current.version + 1, updated_at: new Date() };
        try {
          const updated = await model.findOneAndUpdate(
            { _id: jobId, version: current.version },
            { $set: next, $setOnInsert: { request: null } },
            { upsert: current.version === 0, returnDocument: 'after', lean: true },
          );
          if (updated) return { ...(updated as JobRecord), previousStatus: current.status };
        } catch (err) {
          if ((err as { code?: number }).code !== 11000) throw err; // lost an insert race: read again
        }
      }
      throw new Error(`job ${jobId}: too much contention applying ${event.type}`);
    },

    async get(jobId) {
      return (await model.findById(jobId).lean()) as JobRecord | null;
    },
  };
}

function withoutId<T extends { _id: unknown }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}
