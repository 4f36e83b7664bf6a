import { Schema, type Connection } from 'mongoose';
import { JOB_STATUSES, type ServiceName } from '@pixsim/contracts';
import { createGroupCommit, defineModel } from '@pixsim/persistence';
import { DEFAULT_JOB_RETENTION_DAYS } from './job-store.js';

/**
 * A job's history across the services, one row per event the gateway's read model
 * consumed (`job_events`), and the system's recent history (`stats`, from `jobs`).
 * The job record keeps only the folded state; the console shows how it got there.
 */
interface TimelineEvent {
  event_id: string;
  job_id: string;
  type: string;
  at: Date;
  /** The service whose work the event reports. */
  service: ServiceName;
  attempt: number | null;
  provider_job_id: string | null;
  account_id: string | null;
  error_code: string | null;
  error_message: string | null;
  /** A short note: a deferral's reason, a failure's stage, an asset's id. */
  detail: string | null;
}

/** What the read-model consumers hand over: an envelope's id, type, time and data. */
interface SeenEvent {
  id: string;
  type: string;
  at: string;
  data: unknown;
}

interface MinuteCounts {
  minute: string;
  created: number;
  completed: number;
  failed: number;
}

interface JobStatsSnapshot {
  by_status: Record<string, number>;
  per_minute: MinuteCounts[];
  failures_by_code: { error_code: string; count: number }[];
  last_hour: { created: number; completed: number; failed: number; cancelled: number };
}

export interface JobInsights {
  /** Records one consumed event; a redelivery is a no-op. */
  record(event: SeenEvent): Promise<void>;
  timeline(jobId: string): Promise<TimelineEvent[]>;
  /** Counts for one user, or everyone's when userId is undefined. */
  stats(userId: string | undefined, now: Date): Promise<JobStatsSnapshot>;
}

type Data = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const FAILURE_SERVICE: Record<string, ServiceName> = {
  intake: 'job-intake',
  dispatch: 'dispatcher',
  poll: 'poller',
  cancel: 'dispatcher',
};
/** Who does the work each event reports (the topology: intake creates, dispatcher submits, …). */
const SOURCE: Record<string, ServiceName> = {
  JOB_REQUESTED: 'gateway',
  JOB_CREATED: 'job-intake',
  JOB_SUBMITTED: 'dispatcher',
  JOB_COMPLETED: 'poller',
  ASSET_CREATED: 'asset',
};

/** The timeline row of an event; pure, so the unit tests check it without MongoDB. */
function timelineRow(event: SeenEvent): TimelineEvent {
  const d = (event.data ?? {}) as Data;
  const base = {
    event_id: event.id,
    job_id: String(d.job_id),
    type: event.type,
    at: new Date(event.at),
    attempt: num(d.attempt) ?? num(d.retry_count),
    provider_job_id: str(d.provider_job_id),
    account_id: str(d.account_id),
    error_code: str(d.error_code),
    error_message: str(d.error_message),
  };
  switch (event.type) {
    case 'JOB_DEFERRED':
      // Intake defers scheduled jobs and retries; the dispatcher defers when no account is free.
      return {
        ...base,
        service: d.reason === 'waiting_for_account' ? 'dispatcher' : 'job-intake',
        detail: `${String(d.reason)}${d.until ? ` until ${String(d.until)}` : ''}`,
      };
    case 'JOB_FAILED':
      return { ...base, service: FAILURE_SERVICE[String(d.stage)] ?? 'job-intake', detail: `stage ${String(d.stage)}` };
    case 'ASSET_CREATED':
      return { ...base, service: 'asset', detail: `asset ${String(d.asset_id)}` };
    default:
      return { ...base, service: SOURCE[event.type] ?? 'gateway', detail: null };
  }
}

/** A timeline row as stored: keyed by the event id, expiring with its job (`purge_at`). */
export type TimelineRow = Omit<TimelineEvent, 'event_id'> & { _id: string; purge_at: Date };

const eventSchema = new Schema<TimelineRow>(
  {
    _id: String,
    job_id: String,
    type: String,
    at: Date,
    service: String,
    attempt: Number,
    provider_job_id: String,
    account_id: String,
    error_code: String,
    error_message: String,
    detail: String,
    purge_at: Date,
  },
  { collection: 'job_events', versionKey: false, strict: true },
);
eventSchema.index({ job_id: 1, at: 1 });
// Retention: rows expire with their job (see `record`).
eventSchema.index({ purge_at: 1 }, { expireAfterSeconds: 0 });

export const jobEventModel = defineModel<TimelineRow>('JobEvent', eventSchema);

/** The events that end a job: their time is the job's end, from which its history is kept. */
const ENDING = new Set(['JOB_COMPLETED', 'JOB_FAILED']);

const HOUR_MS = 3_600_000;

/** How long a batch of timeline rows waits for more (a row is history: no caller waits on it). */
const TIMELINE_LINGER_MS = 100;

export async function createJobInsights(conn: Connection, opts: { retentionDays?: number } = {}): Promise<JobInsights> {
  const Events = jobEventModel.model(conn);
  const rows = jobEventModel.collection(conn);
  // Rows of events handled at once share round trips (one bulkWrite per batch); the
  // end-of-job extension is safe to repeat, so it may ride in a batch too. No one waits on
  // a row but the console's timeline, so a batch lingers for the rows of other events: at
  // a steady 25 jobs/s each row was a round trip of its own, 4.6 per job.
  const writes = createGroupCommit(rows, { lingerMs: TIMELINE_LINGER_MS });
  const retentionMs = (opts.retentionDays ?? DEFAULT_JOB_RETENTION_DAYS) * 86_400_000;
  await Events.init();
  const jobs = () => conn.collection('jobs');

  return {
    async record(event) {
      const { event_id, ...row } = timelineRow(event);
      // A row is kept `retention` after its own time, and once the job ends, every row of
      // the job until `retention` after the end, as the job's record is: the history never
      // outlives the job nor expires before it. Both writes are safe to repeat.
      const purge_at = new Date(row.at.getTime() + retentionMs);
      // Keyed by the event id: a redelivered event finds its row and changes nothing. The
      // two writes go in one batch, in either order: the row is written with the end's purge_at.
      await Promise.all([
        writes.write({
          updateOne: { filter: { _id: event_id }, update: { $setOnInsert: { ...row, purge_at } }, upsert: true },
        }),
        ENDING.has(row.type)
          ? writes.write({
              updateMany: {
                filter: { job_id: row.job_id, purge_at: { $lt: purge_at } },
                update: { $set: { purge_at } },
              },
            })
          : null,
      ]);
    },
    async timeline(jobId) {
      const found = await Events.find({ job_id: jobId }).sort({ at: 1, _id: 1 }).lean<TimelineRow[]>().exec();
      return found.map(({ _id, purge_at: _, ...r }) => ({ event_id: _id, ...r }));
    },
    async stats(userId, now) {
      const owner = userId === undefined ? {} : { user_id: userId };
      const since = new Date(now.getTime() - HOUR_MS);
      const sinceIso = since.toISOString();
      const [statuses, created, ended, codes] = await Promise.all([
        jobs()
          .aggregate<{ _id: string; n: number }>([
            { $match: { ...owner, created_at: { $ne: null } } },
            { $group: { _id: '$status', n: { $sum: 1 } } },
          ])
          .toArray(),
        jobs()
          .aggregate<{ _id: string; n: number }>([
            { $match: { ...owner, created_at: { $gte: since } } },
            { $group: { _id: { $dateToString: { date: '$created_at', format: '%Y-%m-%dT%H:%M' } }, n: { $sum: 1 } } },
          ])
          .toArray(),
        // completed_at is an ISO string: a string range is a time range.
        jobs()
          .aggregate<{ _id: { m: string; s: string }; n: number }>([
            { $match: { ...owner, completed_at: { $gte: sinceIso } } },
            { $group: { _id: { m: { $substrBytes: ['$completed_at', 0, 16] }, s: '$status' }, n: { $sum: 1 } } },
          ])
          .toArray(),
        jobs()
          .aggregate<{ _id: string; n: number }>([
            { $match: { ...owner, status: 'FAILED', completed_at: { $gte: sinceIso } } },
            { $group: { _id: '$error_code', n: { $sum: 1 } } },
            { $sort: { n: -1 } },
          ])
          .toArray(),
      ]);
      const by_status = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<string, number>;
      for (const s of statuses) if (s._id) by_status[s._id] = s.n;
      const minutes = new Map<string, MinuteCounts>();
      const start = Math.floor(since.getTime() / 60_000) + 1;
      for (let m = start; m <= Math.floor(now.getTime() / 60_000); m++) {
        const minute = new Date(m * 60_000).toISOString().slice(0, 16);
        minutes.set(minute, { minute, created: 0, completed: 0, failed: 0 });
      }
      const lastHour = { created: 0, completed: 0, failed: 0, cancelled: 0 };
      for (const c of created) {
        lastHour.created += c.n;
        const row = minutes.get(c._id);
        if (row) row.created += c.n;
      }
      for (const e of ended) {
        const row = minutes.get(e._id.m);
        if (e._id.s === 'COMPLETED') {
          lastHour.completed += e.n;
          if (row) row.completed += e.n;
        } else if (e._id.s === 'FAILED') {
          lastHour.failed += e.n;
          if (row) row.failed += e.n;
        } else if (e._id.s === 'CANCELLED') lastHour.cancelled += e.n;
      }
      return {
        by_status,
        per_minute: [...minutes.values()],
        failures_by_code: codes.map((c) => ({ error_code: c._id ?? 'UNKNOWN', count: c.n })),
        last_hour: lastHour,
      };
    },
  };
}
