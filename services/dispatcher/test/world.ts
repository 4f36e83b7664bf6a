import { randomBytes, randomUUID } from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { parseKeyring, sealSecret } from '@pixsim/kit';
import { createPixverseProvider, type VideoProvider } from '@pixsim/providers';
import { startSimulator } from '@pixsim/pixverse-sim';
import { createAccountStore } from '../src/store/account-store.js';

/**
 * What the dispatcher tests share: one simulator (generations stay in progress for a
 * minute) and its provider client for the file, and a fresh database per test,
 * dropped after it.
 */
export function useDispatchWorld(dbPrefix: string) {
  const keyring = parseKeyring(randomBytes(32).toString('base64'));
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let provider: VideoProvider;
  let conn: Connection | undefined;

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
    conn = undefined;
  });

  return {
    keyring,
    sim: () => sim,
    provider: () => provider,
    async openDb(): Promise<Connection> {
      conn = await mongoose.createConnection(process.env.MONGODB_URI!, { dbName: `${dbPrefix}-${randomUUID().slice(0, 8)}` }).asPromise();
      return conn;
    },
    /** An account known to both the simulator and the store, with its credential sealed. */
    async addAccount(accounts: ReturnType<typeof createAccountStore>, id: string, o: { simCredits: number; credits?: number; max: number; priority?: number }) {
      const apiKey = `key-${id}-${randomUUID()}`;
      sim.addAccount({ apiKey, credits: o.simCredits, maxConcurrent: o.max });
      await accounts.apply({
        action: 'create', account_id: id, provider_id: 'pixverse', credential: sealSecret(keyring, apiKey),
        max_concurrent_jobs: o.max, priority: o.priority ?? 0, requested_at: new Date().toISOString(),
      }, new Date());
      await accounts.setCredits(id, o.credits ?? o.simCredits);
    },
    /** Generations the simulator has accepted so far. */
    async submittedAtSim(): Promise<number> {
      return ((await fetch(`${sim.url}/__sim/stats`).then((r) => r.json())) as { total_submissions: number }).total_submissions;
    },
  };
}
