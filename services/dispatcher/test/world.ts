import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { openTestDb, type TestDb } from '@pixsim/testkit';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EventData } from '@pixsim/contracts';
import type { PublishInput } from '@pixsim/bus';
import { generateSealingKeyPair, openCredential, parsePrivateKeys, sealCredential } from '@pixsim/credentials';
import { createPixverseProvider, type VideoProvider } from '@pixsim/providers';
import { startSimulator } from '@pixsim/pixverse-sim';
import { createAnnouncer } from '../src/dispatch/announcer.js';
import { createDispatchJob, type DispatchOutcome } from '../src/dispatch/dispatch-job.js';
import { createAccountStore } from '../src/store/account-store.js';
import { createSubmissionStore } from '../src/store/submission-store.js';

export type Submissions = ReturnType<typeof createSubmissionStore>;

/** The dispatcher's clock in these tests: the stores and the simulator share real time. */
export const clock = (): Date => new Date();

/** How long settled submissions are kept in these tests: the default, 30 days. */
export const RETENTION_MS = 30 * 24 * 3600 * 1000;

export interface DispatchPartsOptions {
  maxTries?: number;
  staleMs?: number;
  wrapSubmissions?: (s: Submissions) => Submissions;
}

/** A JOB_CREATED payload for a text-to-video job with a fresh id. */
export function jobCreatedData(extra: Partial<EventData<'JOB_CREATED'>> = {}): EventData<'JOB_CREATED'> {
  return {
    job_id: `job-${randomUUID().slice(0, 8)}`,
    user_id: 'u1',
    operation_type: 'text_to_video',
    provider_id: 'pixverse',
    params: { prompt: `job ${randomUUID()}`, model: 'v5' },
    priority: 5,
    name: null,
    description: null,
    workspace_id: null,
    scheduled_at: null,
    created_at: new Date().toISOString(),
    ...extra,
  };
}

/**
 * What the dispatcher tests share: one simulator (generations stay in progress for a
 * minute) and its provider client for the file, and a fresh database per test,
 * dropped after it.
 */
export function useDispatchWorld(dbPrefix: string) {
  const ring = parsePrivateKeys(generateSealingKeyPair().privateKey);
  /** The gateway's public key, which accounts are sealed to. */
  const sealingKey = ring.current;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let provider: VideoProvider;
  let db: TestDb | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, latencyMs: 60_000 });
    provider = createPixverseProvider({ baseUrl: sim.url, breaker: { volumeThreshold: 1000 } });
  });
  afterAll(async () => {
    await provider.close();
    await sim.stop();
  });
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  return {
    sealingKey,
    sim: () => sim,
    provider: () => provider,
    async openDb(): Promise<Connection> {
      db = await openTestDb(dbPrefix);
      return db.conn;
    },
    /** An account known to both the simulator and the store, with its credential sealed. */
    async addAccount(
      accounts: ReturnType<typeof createAccountStore>,
      id: string,
      o: { simCredits: number; credits?: number; max: number; priority?: number },
    ) {
      const apiKey = `key-${id}-${randomUUID()}`;
      sim.addAccount({ apiKey, credits: o.simCredits, maxConcurrent: o.max });
      await accounts.apply(
        {
          action: 'create',
          account_id: id,
          provider_id: 'pixverse',
          credential: sealCredential(sealingKey, id, apiKey),
          max_concurrent_jobs: o.max,
          priority: o.priority ?? 0,
          requested_at: new Date().toISOString(),
        },
        new Date(),
      );
      await accounts.setCredits(id, o.credits ?? o.simCredits);
    },
    /**
     * The dispatcher's stores, announcer and dispatchJob on a fresh database, with what they
     * publish, the outcomes they count and the possible duplicates they report collected.
     */
    async dispatchParts(opts: DispatchPartsOptions = {}) {
      const db = await this.openDb();
      const accounts = createAccountStore(db);
      const submissions = (opts.wrapSubmissions ?? ((s) => s))(
        createSubmissionStore(db, { clock, retentionMs: RETENTION_MS }),
      );
      const published: PublishInput[] = [];
      const duplicates: string[] = [];
      const outcomes: DispatchOutcome[] = [];
      const publish = async (i: PublishInput) => void published.push(i);
      const announcer = createAnnouncer({ submissions, accounts, publish, clock });
      const dispatchJob = createDispatchJob({
        submissions,
        accounts,
        provider,
        publish,
        announcer,
        clock,
        openCredential: (a) => openCredential({ ring }, a._id, a.credential),
        settings: {
          maxTries: opts.maxTries ?? 3,
          cooldownMs: 60_000,
          retryBaseMs: 1,
          staleMs: opts.staleMs ?? 120_000,
        },
        metrics: { outcome: (o) => void outcomes.push(o), possibleDuplicate: (id) => void duplicates.push(id) },
        logger: { info() {}, warn() {} },
      });
      return { conn: db, accounts, submissions, published, duplicates, outcomes, publish, announcer, dispatchJob };
    },
    /** Generations the simulator has accepted so far. */
    async submittedAtSim(): Promise<number> {
      return ((await fetch(`${sim.url}/__sim/stats`).then((r) => r.json())) as { total_submissions: number })
        .total_submissions;
    },
  };
}
