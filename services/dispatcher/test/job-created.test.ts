import { describe, expect, it } from 'vitest';
import type { EventData } from '@pixsim/contracts';
import { createJobCreatedHandler } from '../src/handlers/job-created.js';
import { jobCreatedData, useDispatchWorld } from './world.js';

const world = useDispatchWorld('t-created');

async function setup(opts: { backlog?: number } = {}) {
  const { accounts, submissions, published, duplicates, publish, announcer, dispatchJob } = await world.dispatchParts();
  let kicks = 0;
  const handler = createJobCreatedHandler({
    submissions, accounts, provider: world.provider(), announcer, publish, dispatchJob,
    backlog: () => opts.backlog ?? 0, kickScanner: () => void kicks++, accountChanged() {},
  });
  const addAccount = (id: string, max: number) => world.addAccount(accounts, id, { simCredits: 100_000, max });
  const created = (extra: Partial<EventData<'JOB_CREATED'>> = {}) => jobCreatedData(extra);
  return { accounts, submissions, published, duplicates, handler, addAccount, created, submittedAtSim: world.submittedAtSim, kicks: () => kicks };
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
    expect(await t.submissions.get(data.job_id)).toMatchObject({ state: 'waiting', detail: 'waiting_for_account', account_id: null });
    expect(t.published.map((p) => [p.type, (p.data as { reason?: string }).reason])).toEqual([['JOB_DEFERRED', 'waiting_for_account']]);
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
    expect(t.published.map((p) => [p.type, (p.data as { reason?: string }).reason])).toEqual([['JOB_DEFERRED', 'scheduled']]);
  });
});
