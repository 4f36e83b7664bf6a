import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { openSecret, parseKeyring, sealSecret } from '@pixsim/kit';
import { createPixverseProvider, type VideoProvider } from '@pixsim/providers';
import { startSimulator } from '@pixsim/pixverse-sim';
import { createAnnouncer } from '../src/dispatch/announcer.js';
import { createDispatchJob } from '../src/dispatch/dispatch-job.js';
import { createJobCreatedHandler } from '../src/handlers/job-created.js';
import { createAccountStore } from '../src/store/account-store.js';
import { createSubmissionStore } from '../src/store/submission-store.js';

const keyring = parseKeyring(randomBytes(32).toString('base64'));
let conn: Connection;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let provider: VideoProvider;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, latencyMs: 60_000 });
  provider = createPixverseProvider({ baseUrl: sim.url, breaker: { volumeThreshold: 1000 } });
});
afterAll(async () => {
  await provider.close();
  await sim.stop();
});
afterEach(async () => {
  await conn?.dropDatabase();
  await conn?.close();
});

async function setup(opts: { backlog?: number } = {}) {
  conn = await mongoose.createConnection(process.env.MONGODB_URI!, { dbName: `t-created-${randomUUID().slice(0, 8)}` }).asPromise();
  const accounts = createAccountStore(conn);
  const submissions = createSubmissionStore(conn);
  const published: PublishInput[] = [];
  const duplicates: string[] = [];
  const publish = async (i: PublishInput) => void published.push(i);
  const announcer = createAnnouncer({ submissions, accounts, publish });
  const dispatchJob = createDispatchJob({
    submissions, accounts, provider, publish, announcer,
    openCredential: (a) => openSecret(keyring, a.credential),
    settings: { maxTries: 3, cooldownMs: 60_000, retryBaseMs: 1, staleMs: 120_000 },
    metrics: { outcome() {}, possibleDuplicate: (id) => void duplicates.push(id) },
    logger: { info() {}, warn() {} },
  });
  let kicks = 0;
  const handler = createJobCreatedHandler({
    submissions, accounts, provider, announcer, publish, dispatchJob,
    backlog: () => opts.backlog ?? 0, kickScanner: () => void kicks++, accountChanged() {},
  });
  const addAccount = async (id: string, max: number) => {
    const apiKey = `key-${id}-${randomUUID()}`;
    sim.addAccount({ apiKey, credits: 100_000, maxConcurrent: max });
    await accounts.apply({ action: 'create', account_id: id, provider_id: 'pixverse', credential: sealSecret(keyring, apiKey), max_concurrent_jobs: max, priority: 0, requested_at: new Date().toISOString() }, new Date());
    await accounts.setCredits(id, 100_000);
  };
  const created = (extra: Partial<EventData<'JOB_CREATED'>> = {}): EventData<'JOB_CREATED'> => ({
    job_id: `job-${randomUUID().slice(0, 8)}`, user_id: 'u1', operation_type: 'text_to_video', provider_id: 'pixverse',
    params: { prompt: `created ${randomUUID()}`, model: 'v5' }, priority: 5, name: null, description: null, workspace_id: null,
    scheduled_at: null, created_at: new Date().toISOString(), ...extra,
  });
  const submittedAtSim = async () => ((await fetch(`${sim.url}/__sim/stats`).then((r) => r.json())) as { total_submissions: number }).total_submissions;
  return { accounts, submissions, published, duplicates, handler, addAccount, created, submittedAtSim, kicks: () => kicks };
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
