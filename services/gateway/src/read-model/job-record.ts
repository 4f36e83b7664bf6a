import { isDeepStrictEqual } from 'node:util';
import {
  applyJobEvent,
  initialJobFacts,
  jobStatusView,
  type JobEvent,
  type JobFacts,
  type JobParams,
  type JobStatusView,
  type OperationType,
} from '@pixsim/contracts';

/** What the user asked for: known once JOB_REQUESTED (the gateway's own write) or JOB_CREATED is seen. */
interface JobCreation {
  user_id: string | null;
  operation_type: OperationType | null;
  provider_id: string | null;
  params: JobParams | null;
  priority: number | null;
  name: string | null;
  description: string | null;
  workspace_id: string | null;
  scheduled_at: string | null;
  /** Where the job's final view is POSTed (callbacks/); null for none. */
  callback_url: string | null;
  /** Null until the creation fields are known; such a job is not visible through the API. */
  created_at: Date | null;
}

/**
 * One job of the read model: its creation fields, the facts of the status
 * machine, and the view derived from them (stored, so lists filter on status).
 */
export interface JobRecord extends JobCreation, JobStatusView {
  _id: string;
  facts: JobFacts;
  /** When the record expires (TTL index): set once the job ended, null while it runs. */
  purge_at: Date | null;
  /** Optimistic-concurrency counter: every write is conditional on the one read. */
  version: number;
}

const NO_CREATION: JobCreation = {
  user_id: null,
  operation_type: null,
  provider_id: null,
  params: null,
  priority: null,
  name: null,
  description: null,
  workspace_id: null,
  scheduled_at: null,
  callback_url: null,
  created_at: null,
};

function emptyJobRecord(jobId: string): JobRecord {
  const facts = initialJobFacts();
  return { _id: jobId, ...NO_CREATION, facts, ...jobView(facts), purge_at: null, version: 0 };
}

/** What `status_detail` says of a job the provider finished whose asset is not recorded yet. */
const STORING_ASSET = 'storing_asset';

/**
 * The status clients see. The provider's "done" (JOB_COMPLETED) and the asset
 * (ASSET_CREATED) travel on different streams; clients read `asset_id` at the
 * first COMPLETED they see, so a job is COMPLETED only once its asset is
 * recorded too. Until then it stays PROCESSING, `status_detail: storing_asset`.
 * The asset handler records the asset before it folds ASSET_CREATED, so a
 * COMPLETED job's asset always answers GET /assets/{id}.
 */
function jobView(facts: JobFacts): JobStatusView {
  const view = jobStatusView(facts);
  if (view.status !== 'COMPLETED' || view.asset_id !== null) return view;
  return { ...view, status: 'PROCESSING', status_detail: STORING_ASSET, completed_at: null };
}

/** Whether the job has ended in any way (its provider work is over), whatever clients are shown yet. */
export const hasEnded = (r: Pick<JobRecord, 'facts'>): boolean => r.facts.terminal !== null;

/**
 * Folds one event into a record. Order-independent like applyJobEvent: the
 * creation fields are the same in JOB_REQUESTED and JOB_CREATED, and created_at
 * keeps the earliest time seen, so any arrival order gives the same record.
 */
export function foldJob(current: JobRecord | null, jobId: string, event: JobEvent): JobRecord {
  const base = current ?? emptyJobRecord(jobId);
  const facts = applyJobEvent(base.facts, event);
  const next: JobRecord = { ...base, facts, ...jobView(facts) };
  if (event.type === 'JOB_REQUESTED' || event.type === 'JOB_CREATED') {
    const d = event.data;
    const at = new Date(event.type === 'JOB_CREATED' ? event.data.created_at : event.data.requested_at);
    const creation: JobCreation = base.created_at
      ? pickCreation(base)
      : {
          user_id: d.user_id,
          operation_type: d.operation_type,
          provider_id: d.provider_id,
          params: d.params,
          priority: d.priority,
          name: d.name,
          description: d.description,
          workspace_id: d.workspace_id,
          scheduled_at: d.scheduled_at,
          callback_url: d.callback_url ?? null,
          created_at: at,
        };
    if (creation.created_at! > at) creation.created_at = at;
    Object.assign(next, creation);
  }
  return next;
}

/**
 * The record with its expiry: `retentionMs` after the job ended (the terminal event's
 * own time, so every replica and every redelivery computes the same date).
 */
export function withPurgeAt(record: JobRecord, retentionMs: number): JobRecord {
  const ended = record.facts.terminal?.at;
  const at = ended === undefined ? Number.NaN : Date.parse(ended);
  return { ...record, purge_at: Number.isNaN(at) ? null : new Date(at + retentionMs) };
}

/**
 * Whether a fold changed nothing (a duplicate delivery): then there is nothing to write.
 * The view is derived from the facts, so the facts and the creation fields decide. It runs
 * for every event the read model folds, so it compares field by field rather than
 * serialising both records.
 */
export function sameJob(a: JobRecord, b: JobRecord): boolean {
  return (
    (a.created_at?.getTime() ?? null) === (b.created_at?.getTime() ?? null) &&
    CREATION_SCALARS.every((k) => (a[k] ?? null) === (b[k] ?? null)) &&
    isDeepStrictEqual(a.params, b.params) &&
    isDeepStrictEqual(a.facts, b.facts)
  );
}

/**
 * The creation fields compared by value; `params` (an object) and `created_at` (a Date) are
 * compared apart. A record, so a field added to JobCreation does not compile until it is listed.
 */
const CREATION_SCALARS = Object.keys({
  user_id: true,
  operation_type: true,
  provider_id: true,
  priority: true,
  name: true,
  description: true,
  workspace_id: true,
  scheduled_at: true,
  callback_url: true,
} satisfies Record<Exclude<keyof JobCreation, 'params' | 'created_at'>, true>) as Exclude<
  keyof JobCreation,
  'params' | 'created_at'
>[];

/** What a job was created with (JOB_REQUESTED / JOB_CREATED), apart from its id: the record's fields and the API's. */
export function pickCreation(r: JobCreation): JobCreation {
  return {
    user_id: r.user_id,
    operation_type: r.operation_type,
    provider_id: r.provider_id,
    params: r.params,
    priority: r.priority,
    name: r.name,
    description: r.description,
    workspace_id: r.workspace_id,
    scheduled_at: r.scheduled_at,
    callback_url: r.callback_url ?? null,
    created_at: r.created_at,
  };
}
