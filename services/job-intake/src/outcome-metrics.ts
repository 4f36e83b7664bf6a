import { Histogram, type Registry } from 'prom-client';
import type { JobStore } from './store/job-store.js';

/** POST to asset takes tens of seconds to many minutes (a provider's queue); the SLO sits at 10 min. */
const END_TO_END_BUCKETS_S = [5, 10, 20, 30, 60, 120, 180, 300, 600, 900, 1800, 3600];

/**
 * End-to-end job latency, POST → asset: observed once per job, when the system of record
 * first holds its asset, from when the job could start (its request, or its scheduled time
 * if later). A decorator of the store's `apply`, so every event path that brings the asset
 * is measured and the handlers stay unaware of it.
 */
export function observeEndToEnd<S extends Pick<JobStore, 'apply'>>(
  jobs: S,
  registry: Registry,
  clock: () => Date = () => new Date(),
): S {
  const histogram = new Histogram({
    name: 'pixsim_job_end_to_end_seconds',
    help: 'Seconds from a job request (or its scheduled time) to its asset being recorded',
    labelNames: ['operation_type'],
    buckets: END_TO_END_BUCKETS_S,
    registers: [registry],
  });
  const apply: S['apply'] = async (jobId, event, opts) => {
    const record = await jobs.apply(jobId, event, opts);
    const request = record.request;
    if (request && record.facts.asset_id !== null && record.previous.facts.asset_id === null) {
      const start = Math.max(
        Date.parse(request.requested_at),
        request.scheduled_at ? Date.parse(request.scheduled_at) : 0,
      );
      const seconds = (clock().getTime() - start) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0)
        histogram.observe({ operation_type: request.operation_type }, seconds);
    }
    return record;
  };
  // The rest of the store as it is (prototype and all): only apply is watched.
  return Object.assign(Object.create(jobs) as S, { apply });
}
