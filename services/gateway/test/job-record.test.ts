import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JobEvent } from '@pixsim/contracts';
import { foldJob, sameJob, type JobRecord } from '../src/read-model/job-record.js';
import { jobHistory } from './events.js';

const fold = (events: readonly JobEvent[]): JobRecord =>
  events.reduce<JobRecord | null>((r, e) => foldJob(r, 'job-1', e), null)!;

/** A permutation of the history with some events repeated. */
const shuffledWithRepeats = (history: readonly JobEvent[]) =>
  fc
    .tuple(
      fc.shuffledSubarray([...history], { minLength: history.length, maxLength: history.length }),
      fc.array(fc.constantFrom(...history), { maxLength: 4 }),
    )
    .chain(([perm, extra]) =>
      fc.shuffledSubarray([...perm, ...extra], {
        minLength: perm.length + extra.length,
        maxLength: perm.length + extra.length,
      }),
    );

describe('foldJob', () => {
  it('when the events of a completed job arrive in any order with duplicates, then the record is the same', () => {
    const { success } = jobHistory('job-1');
    const expected = fold(success);
    expect(expected).toMatchObject({
      status: 'COMPLETED',
      asset_id: 'asset-job-1',
      user_id: 'user-1',
      started_at: expect.any(String),
    });
    fc.assert(fc.property(shuffledWithRepeats(success), (events) => sameJob(fold(events), expected)));
  });

  it("when a failed job's events arrive in any order, then it is FAILED with the error, never PROCESSING again", () => {
    const h = jobHistory('job-1');
    const history: JobEvent[] = [
      { type: 'JOB_CREATED', data: h.created },
      { type: 'JOB_SUBMITTED', data: h.submitted },
      { type: 'JOB_FAILED', data: h.failed },
    ];
    fc.assert(
      fc.property(shuffledWithRepeats(history), (events) => {
        const r = fold(events);
        return r.status === 'FAILED' && r.error_code === 'PROVIDER_FAILED' && r.name === 'n';
      }),
    );
  });

  it('when JOB_REQUESTED and JOB_CREATED disagree on the time, then created_at is the earlier, whatever the order', () => {
    const { created } = jobHistory('job-1');
    const requested: JobEvent = {
      type: 'JOB_REQUESTED',
      data: { ...created, requested_at: '2025-12-31T23:59:59.000Z', created_at: undefined } as never,
    };
    const a = fold([requested, { type: 'JOB_CREATED', data: created }]);
    const b = fold([{ type: 'JOB_CREATED', data: created }, requested]);
    expect(a.created_at?.toISOString()).toBe('2025-12-31T23:59:59.000Z');
    expect(sameJob(a, b)).toBe(true);
  });

  it('when only later events are known, then the record has no creation fields yet', () => {
    const { submitted } = jobHistory('job-1');
    const r = fold([{ type: 'JOB_SUBMITTED', data: submitted }]);
    expect(r).toMatchObject({ status: 'PROCESSING', created_at: null, user_id: null });
  });

  it('when a fold changes a fact, a creation field or the params, then it is not the same job', () => {
    const { success } = jobHistory('job-1');
    const r = fold(success);
    expect(sameJob(r, { ...r })).toBe(true);
    expect(sameJob(r, { ...r, facts: { ...r.facts, terminal: null } })).toBe(false);
    expect(sameJob(r, { ...r, name: 'other' })).toBe(false);
    expect(sameJob(r, { ...r, callback_url: 'https://example.com/cb' })).toBe(false);
    expect(sameJob(r, { ...r, params: { ...r.params!, prompt: 'other' } })).toBe(false);
    expect(sameJob(r, { ...r, created_at: new Date(r.created_at!.getTime() + 1) })).toBe(false);
    // A stored record may hold null where a fresh fold holds nothing at all.
    expect(sameJob({ ...r, callback_url: null }, { ...r, callback_url: undefined as never })).toBe(true);
  });
});
