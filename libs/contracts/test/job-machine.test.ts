import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applyJobEvent,
  initialJobFacts,
  jobStatusView,
  JOB_ERROR_CODE_LIST,
  type JobEvent,
  type JobFacts,
} from '../src/index.js';

const JOB = 'job-1';
const iso = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const fold = (events: readonly JobEvent[]): JobFacts => events.reduce(applyJobEvent, initialJobFacts());

const created = (t: number): JobEvent => ({
  type: 'JOB_CREATED',
  data: {
    job_id: JOB,
    user_id: 'u',
    operation_type: 'text_to_video',
    provider_id: 'pixverse',
    params: { prompt: 'p' },
    priority: 5,
    name: null,
    description: null,
    workspace_id: null,
    scheduled_at: null,
    created_at: iso(t),
  },
});
const deferred = (t: number, attempt: number, reason: 'waiting_for_account' | 'retry_backoff'): JobEvent => ({
  type: 'JOB_DEFERRED',
  data: { job_id: JOB, reason, attempt, until: null, deferred_at: iso(t) },
});
const submitted = (t: number, attempt: number): JobEvent => ({
  type: 'JOB_SUBMITTED',
  data: {
    job_id: JOB,
    user_id: 'u',
    credential: { alg: 'A256GCM', kid: 'k1', iv: 'i', tag: 't', ct: 'c' },
    duration_sec: 5,
    attempt,
    provider_id: 'pixverse',
    provider_job_id: `v${attempt}`,
    account_id: 'a1',
    cost: 45,
    submitted_at: iso(t),
  },
});
const completed = (t: number, attempt: number): JobEvent => ({
  type: 'JOB_COMPLETED',
  data: {
    job_id: JOB,
    user_id: 'u',
    provider_id: 'pixverse',
    provider_job_id: `v${attempt}`,
    account_id: 'a1',
    completed_at: iso(t),
    result: { url: 'https://x/v.mp4', width: 1, height: 1, duration_sec: 5, file_size_bytes: 10 },
  },
});
const failed = (t: number, code: (typeof JOB_ERROR_CODE_LIST)[number], retries: number): JobEvent => ({
  type: 'JOB_FAILED',
  data: {
    job_id: JOB,
    stage: 'poll',
    error_code: code,
    error_message: 'm',
    retry_count: retries,
    account_id: null,
    provider_job_id: null,
    failed_at: iso(t),
  },
});
const asset = (t: number): JobEvent => ({
  type: 'ASSET_CREATED',
  data: {
    asset_id: 'asset-1',
    job_id: JOB,
    user_id: 'u',
    media_type: 'video',
    provider_id: 'pixverse',
    provider_asset_id: 'v1',
    remote_url: 'https://x/v.mp4',
    width: 1,
    height: 1,
    duration_sec: 5,
    file_size_bytes: 10,
    created_at: iso(t),
  },
});

/** A causal history: created, some deferrals, some submit attempts, at most one outcome. */
const historyArb = fc
  .record({
    deferrals: fc.integer({ min: 0, max: 3 }),
    attempts: fc.integer({ min: 0, max: 3 }),
    outcome: fc.constantFrom('none', 'completed', 'completed+asset', 'failed'),
    code: fc.constantFrom(...JOB_ERROR_CODE_LIST),
  })
  .map(({ deferrals, attempts, outcome, code }) => {
    let t = 0;
    const events: JobEvent[] = [created(t++)];
    for (let i = 0; i < deferrals; i++) events.push(deferred(t++, i, i % 2 ? 'retry_backoff' : 'waiting_for_account'));
    for (let a = 1; a <= attempts; a++) events.push(submitted(t++, a));
    if (outcome === 'failed') events.push(failed(t++, code, attempts));
    if (outcome.startsWith('completed') && attempts > 0) events.push(completed(t++, attempts));
    if (outcome === 'completed+asset' && attempts > 0) events.push(asset(t++));
    return events;
  });

/** Any order, with every event possibly delivered more than once. */
const shuffledWithDuplicates = (events: JobEvent[]) =>
  fc
    .tuple(fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 8 }), fc.infiniteStream(fc.nat()))
    .map(([dupes, rnd]) => {
      const all = [...events, ...dupes.map((i) => events[i]!)];
      const it = rnd[Symbol.iterator]();
      for (let i = all.length - 1; i > 0; i--) {
        const j = it.next().value! % (i + 1);
        [all[i], all[j]] = [all[j]!, all[i]!];
      }
      return all;
    });

describe('job status machine', () => {
  it('when a history arrives in any order with duplicates, then it ends in the causal-order state', () => {
    fc.assert(
      fc.property(
        historyArb.chain((h) => fc.tuple(fc.constant(h), shuffledWithDuplicates(h))),
        ([causal, delivered]) => {
          expect(fold(delivered)).toEqual(fold(causal));
          expect(jobStatusView(fold(delivered))).toEqual(jobStatusView(fold(causal)));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('when a terminal state is reached, then a late earlier event does not change the status', () => {
    const done = fold([created(0), submitted(1, 1), completed(2, 1)]);
    const late = applyJobEvent(applyJobEvent(done, submitted(1, 1)), deferred(0, 0, 'waiting_for_account'));
    expect(jobStatusView(late).status).toBe('COMPLETED');
    expect(jobStatusView(late).status_detail).toBeNull();
  });

  it('when a second, different terminal event arrives, then the first terminal state stays', () => {
    const done = fold([created(0), submitted(1, 1), completed(2, 1), failed(3, 'TIMEOUT', 0)]);
    expect(jobStatusView(done)).toMatchObject({ status: 'COMPLETED', error_code: null });
  });

  it('when the job waits for an account, then the PENDING detail says so, and submission clears it', () => {
    const waiting = fold([created(0), deferred(1, 0, 'waiting_for_account')]);
    expect(jobStatusView(waiting)).toMatchObject({ status: 'PENDING', status_detail: 'waiting_for_account' });
    expect(jobStatusView(applyJobEvent(waiting, submitted(2, 1)))).toMatchObject({
      status: 'PROCESSING',
      status_detail: 'generating',
      started_at: iso(2),
    });
  });

  it('when the user cancels, then the job is CANCELLED rather than FAILED', () => {
    const view = jobStatusView(fold([created(0), failed(1, 'CANCELLED_BY_USER', 0)]));
    expect(view).toMatchObject({ status: 'CANCELLED', error_code: 'CANCELLED_BY_USER' });
  });

  it('when submits were retried, then retry_count and provider_job_id follow the last attempt', () => {
    const view = jobStatusView(fold([created(0), submitted(2, 3), submitted(1, 1)]));
    expect(view).toMatchObject({ retry_count: 2, provider_job_id: 'v3' });
  });
});
