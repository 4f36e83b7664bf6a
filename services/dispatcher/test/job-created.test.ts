import { describe, expect, it } from 'vitest';
import type { EventData } from '@pixsim/contracts';
import { createCancelHandler } from '../src/handlers/cancel.js';
import { createJobCreatedHandler } from '../src/handlers/job-created.js';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import {
  clock,
  jobCreatedData,
  RETENTION_MS,
  useDispatchWorld,
  type DispatchPartsOptions,
  type Submissions,
} from './world.js';

const world = useDispatchWorld('t-created');

/** Submissions whose `method` runs `moment.hook` just before or after its write: where a cancel lands in a test. */
function intercept(
  method: 'recordIntent' | 'wait',
  when: 'before' | 'after',
  moment: { hook: (() => Promise<void>) | null },
) {
  return (s: Submissions): Submissions => ({
    ...s,
    [method]: async (...args: unknown[]) => {
      if (when === 'before') await moment.hook?.();
      const result = await (s[method] as (...a: unknown[]) => Promise<unknown>)(...args);
      if (when === 'after') await moment.hook?.();
      return result;
    },
  });
}

async function setup(opts: { backlog?: number; wrapSubmissions?: DispatchPartsOptions['wrapSubmissions'] } = {}) {
  const { accounts, submissions, published, duplicates, publish, announcer, dispatchJob } = await world.dispatchParts(
    opts.wrapSubmissions ? { wrapSubmissions: opts.wrapSubmissions } : {},
  );
  let kicks = 0;
  const handler = createJobCreatedHandler({
    submissions,
    accounts,
    provider: world.provider(),
    announcer,
    publish,
    dispatchJob,
    backlog: () => opts.backlog ?? 0,
    kickScanner: () => void kicks++,
    accountChanged() {},
    isPurgedReplay: createPurgedReplayCheck({ submissions, retentionMs: RETENTION_MS, clock, onDropped() {} }),
    clock,
  });
  const addAccount = (id: string, max: number) => world.addAccount(accounts, id, { simCredits: 100_000, max });
  const created = (extra: Partial<EventData<'JOB_CREATED'>> = {}) => jobCreatedData(extra);
  const cancel = createCancelHandler({ submissions, announcer, clock });
  const cancelled = (jobId: string) =>
    cancel({ data: { job_id: jobId, user_id: 'u1', requested_at: new Date().toISOString() } });
  return {
    accounts,
    submissions,
    published,
    duplicates,
    handler,
    cancelled,
    dispatchJob,
    addAccount,
    created,
    submittedAtSim: world.submittedAtSim,
    kicks: () => kicks,
  };
}

describe('JOB_CREATED', () => {
  it('when a new job finds a free account, then it is recorded with the intent and submitted once, and a redelivery changes nothing', async () => {
    const t = await setup();
    await t.addAccount('a1', 5);
    const data = t.created();
    const before = await t.submittedAtSim();
    await t.handler({ data });
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'submitted', attempt: 1, account_id: 'a1' });
    expect(t.published.filter((p) => p.type === 'JOB_SUBMITTED')).toHaveLength(1);
    expect(t.duplicates).toEqual([]); // its own fresh intent is not taken for a dead dispatcher's
    await t.handler({ data }); // redelivered
    expect(await t.submittedAtSim()).toBe(before + 1);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(1); // the redelivery's reservation was given back
  });

  it('when no account is free, then the job waits for one and holds no reservation', async () => {
    const t = await setup();
    const data = t.created();
    await t.handler({ data });
    expect(await t.submissions.get(data.job_id)).toMatchObject({
      state: 'waiting',
      detail: 'waiting_for_account',
      account_id: null,
    });
    expect(t.published.map((p) => [p.type, (p.data as { reason?: string }).reason])).toEqual([
      ['JOB_DEFERRED', 'waiting_for_account'],
    ]);
  });

  it('when jobs are waiting ahead of it, then it queues behind them without reserving', async () => {
    const t = await setup({ backlog: 3 });
    await t.addAccount('a1', 5);
    const data = t.created();
    await t.handler({ data });
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'waiting', claim_token: null });
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
    expect(t.kicks()).toBe(1);
  });

  it('when the job is scheduled for later, then it is recorded waiting, announced as scheduled, and nothing is reserved', async () => {
    const t = await setup();
    await t.addAccount('a1', 5);
    const data = t.created({ scheduled_at: new Date(Date.now() + 60_000).toISOString() });
    await t.handler({ data });
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'waiting' });
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
    expect(t.published.map((p) => [p.type, (p.data as { reason?: string }).reason])).toEqual([
      ['JOB_DEFERRED', 'scheduled'],
    ]);
  });

  it('when the cancel arrives before JOB_CREATED, then the job is cancelled on arrival: announced once, nothing submitted, no slot held', async () => {
    const t = await setup();
    await t.addAccount('a1', 5);
    const data = t.created();
    const before = await t.submittedAtSim();
    await t.cancelled(data.job_id);
    expect(t.published).toEqual([]);
    await t.handler({ data });
    await t.handler({ data }); // redelivered
    expect(await t.submissions.get(data.job_id)).toMatchObject({
      state: 'cancelled',
      error_code: 'CANCELLED_BY_USER',
      announced: true,
    });
    expect(t.published.map((p) => [p.type, (p.data as { error_code?: string }).error_code])).toEqual([
      ['JOB_FAILED', 'CANCELLED_BY_USER'],
    ]);
    expect(await t.submittedAtSim()).toBe(before);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
  });

  it('when the cancel arrives while a dispatcher is choosing an account, then it is cancelled instead of submitted, and its slot is given back', async () => {
    const beforeIntent: { hook: (() => Promise<void>) | null } = { hook: null };
    const t = await setup({ wrapSubmissions: intercept('recordIntent', 'before', beforeIntent) });
    await t.addAccount('a1', 5);
    const data = t.created();
    const before = await t.submittedAtSim();
    await t.submissions.ensure(data, new Date()); // waiting: the general way, claim → reserve → intent
    beforeIntent.hook = () => t.cancelled(data.job_id); // lands after the claim, before the intent
    expect(await t.dispatchJob(data.job_id)).toBe('cancelled');
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'cancelled', error_code: 'CANCELLED_BY_USER' });
    expect(t.published.map((p) => [p.type, (p.data as { error_code?: string }).error_code])).toEqual([
      ['JOB_FAILED', 'CANCELLED_BY_USER'],
    ]);
    expect(await t.submittedAtSim()).toBe(before);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
  });

  it('when the cancel arrives while the job goes back to waiting for an account, then it ends cancelled, not waiting', async () => {
    const beforeWait: { hook: (() => Promise<void>) | null } = { hook: null };
    const t = await setup({ wrapSubmissions: intercept('wait', 'before', beforeWait) });
    const data = t.created(); // no account at all: it will go back to waiting
    await t.submissions.ensure(data, new Date());
    beforeWait.hook = () => t.cancelled(data.job_id);
    expect(await t.dispatchJob(data.job_id)).toBe('cancelled');
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'cancelled' });
    expect(t.published.filter((p) => p.type === 'JOB_FAILED')).toHaveLength(1);
  });

  it('when the cancel arrives during the provider call and the provider refuses the job, then it ends CANCELLED, as the user asked, not FAILED', async () => {
    const afterIntent: { hook: (() => Promise<void>) | null } = { hook: null };
    const t = await setup({ wrapSubmissions: intercept('recordIntent', 'after', afterIntent) }); // then the provider is called
    await t.addAccount('a1', 5);
    const data = t.created({ params: { prompt: 'a storm [sim:reject]', model: 'v5' } });
    await t.submissions.ensure(data, new Date());
    afterIntent.hook = () => t.cancelled(data.job_id);
    expect(await t.dispatchJob(data.job_id)).toBe('cancelled');
    expect(t.published.map((p) => [p.type, (p.data as { error_code?: string }).error_code])).toEqual([
      ['JOB_FAILED', 'CANCELLED_BY_USER'],
    ]);
    expect((await t.accounts.get('a1'))!.in_flight).toBe(0);
  });
});
