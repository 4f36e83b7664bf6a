import type { ConsumedEvent, PublishInput } from '@pixsim/bus';
import { EventEmitter } from 'node:events';
import { JOB_STATUSES, type EventData, type EventType } from '@pixsim/contracts';
import { delivered } from '@pixsim/testkit';
import type { JobUpdates } from '../src/live/job-updates.js';
import type { JobInsights } from '../src/store/job-timeline.js';
import { foldJob, sameJob, type JobRecord } from '../src/read-model/job-record.js';
import type { JobStore } from '../src/store/ports.js';

/** An in-memory JobStore for unit tests: the same fold, no I/O. */
export function memoryJobStore(): JobStore & {
  records: Map<string, JobRecord>;
  /** Each apply's event type and whether it asked to linger, in order. */
  applied: Array<{ type: string; linger: boolean }>;
} {
  const records = new Map<string, JobRecord>();
  const applied: Array<{ type: string; linger: boolean }> = [];
  return {
    records,
    applied,
    async apply(jobId, event, opts) {
      applied.push({ type: event.type, linger: opts?.linger === true });
      const current = records.get(jobId) ?? null;
      const next = foldJob(current, jobId, event);
      if (current && sameJob(current, next)) return current;
      const saved = { ...next, version: (current?.version ?? 0) + 1 };
      records.set(jobId, saved);
      return saved;
    },
    async get(jobId) {
      const r = records.get(jobId);
      return r?.created_at ? r : null;
    },
    async list(q) {
      return [...records.values()].filter((r) => r.created_at).slice(0, q.limit + 1);
    },
  };
}

/** A delivery as the bus hands it to a handler. */
export function consumed<T extends EventType>(type: T, data: EventData<T>, id = `${type}:test`): ConsumedEvent<T> {
  return delivered({ type, id, data } as PublishInput<T>) as ConsumedEvent<T>;
}

/** In-process fan-out of live job views (NATS in production). */
export function memoryJobUpdates(): JobUpdates {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    publish: (jobId, update) => void bus.emit(jobId, update),
    subscribe(jobId, listener) {
      bus.on(jobId, listener);
      return () => bus.off(jobId, listener);
    },
  };
}

/** No history, zero counts: for tests of routes that do not read the timeline. */
export const noJobInsights: JobInsights = {
  async record() {},
  async timeline() {
    return [];
  },
  async stats() {
    return {
      by_status: Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])),
      per_minute: [],
      failures_by_code: [],
      last_hour: { created: 0, completed: 0, failed: 0, cancelled: 0 },
    };
  },
};
