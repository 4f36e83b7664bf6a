import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { initialJobFacts, type EventData, type JobEvent, type JobFacts } from '@pixsim/contracts';
import { observeEndToEnd } from '../src/outcome-metrics.js';
import type { JobStore } from '../src/store/job-store.js';

const REQUESTED = '2026-01-01T00:00:00.000Z';
const request = (scheduledAt: string | null = null): EventData<'JOB_REQUESTED'> => ({
  job_id: 'j1',
  user_id: 'u1',
  operation_type: 'text_to_video',
  provider_id: 'pixverse',
  params: { prompt: 'x' } as never,
  priority: 5,
  name: null,
  description: null,
  workspace_id: null,
  scheduled_at: scheduledAt,
  requested_at: REQUESTED,
});

/** A store whose apply walks through the given asset ids, one per call. */
function fakeStore(assets: (string | null)[], req = request()): Pick<JobStore, 'apply'> {
  let previous: JobFacts = initialJobFacts();
  let i = 0;
  return {
    async apply(jobId) {
      const facts = { ...previous, asset_id: assets[i++] ?? null };
      const record = {
        _id: jobId,
        request: req,
        facts,
        status: 'COMPLETED',
        version: i,
        updated_at: new Date(),
        purge_at: null,
      };
      const out = { ...record, previous: { status: 'COMPLETED', facts: previous } };
      previous = facts;
      return out;
    },
  };
}

async function observed(registry: Registry) {
  const m = (await registry.getSingleMetricAsString('pixsim_job_end_to_end_seconds')).split('\n');
  const count = m.find((l) => l.startsWith('pixsim_job_end_to_end_seconds_count'));
  const sum = m.find((l) => l.startsWith('pixsim_job_end_to_end_seconds_sum'));
  return { count: Number(count?.split(' ').pop()), sum: Number(sum?.split(' ').pop()) };
}

const event = { type: 'ASSET_CREATED', data: {} } as unknown as JobEvent;

describe('end-to-end job latency (job-intake)', () => {
  it('when a job first gets its asset, then the seconds since its request are observed once, redeliveries not again', async () => {
    const registry = new Registry();
    const clock = () => new Date(Date.parse(REQUESTED) + 95_000);
    const jobs = observeEndToEnd(fakeStore([null, 'a1', 'a1']), registry, clock);
    for (let i = 0; i < 3; i++) await jobs.apply('j1', event);
    expect(await observed(registry)).toEqual({ count: 1, sum: 95 });
    expect(await registry.getSingleMetricAsString('pixsim_job_end_to_end_seconds')).toContain(
      'operation_type="text_to_video"',
    );
  });

  it('when the job was scheduled for later, then latency counts from the scheduled time', async () => {
    const registry = new Registry();
    const scheduled = new Date(Date.parse(REQUESTED) + 60_000).toISOString();
    const clock = () => new Date(Date.parse(REQUESTED) + 90_000);
    const jobs = observeEndToEnd(fakeStore(['a1'], request(scheduled)), registry, clock);
    await jobs.apply('j1', event);
    expect(await observed(registry)).toEqual({ count: 1, sum: 30 });
  });
});

describe('the store it decorates', () => {
  it('when a fold is applied with options, then the store gets them (a status fold lingers)', async () => {
    const seen: unknown[] = [];
    const inner = fakeStore(['a1']);
    const store: Pick<JobStore, 'apply'> = {
      apply: (jobId, e, opts) => {
        seen.push(opts);
        return inner.apply(jobId, e, opts);
      },
    };
    await observeEndToEnd(store, new Registry(), () => new Date()).apply('j1', event, { linger: true });
    expect(seen).toEqual([{ linger: true }]);
  });
});
