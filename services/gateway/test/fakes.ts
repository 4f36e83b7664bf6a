import type { ConsumedEvent } from '@pixsim/bus';
import type { EventData, EventType } from '@pixsim/contracts';
import { foldJob, sameJob, type JobRecord } from '../src/read-model/job-record.js';
import type { JobStore } from '../src/store/ports.js';

/** An in-memory JobStore for unit tests: the same fold, no I/O. */
export function memoryJobStore(): JobStore & { records: Map<string, JobRecord> } {
  const records = new Map<string, JobRecord>();
  return {
    records,
    async apply(jobId, event) {
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
  return {
    id,
    type,
    v: 1,
    at: new Date().toISOString(),
    data,
    streamId: '1-0',
    deliveries: 1,
    attempt: 1,
    signal: new AbortController().signal,
  };
}
