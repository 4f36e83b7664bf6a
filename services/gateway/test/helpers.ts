import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { FastifyInstance } from 'fastify';
import { createPublisher } from '@pixsim/bus';
import { createKeys, fieldsToRecord, type EventType, type Keys } from '@pixsim/contracts';
import { createLogger, parseKeyring, type Keyring, type Logger } from '@pixsim/kit';
import { createPixverseProvider, createProviderRegistry, type ProviderRegistry } from '@pixsim/providers';
import { buildApp, type AppDeps } from '../src/app.js';
import { createBusAdmin } from '../src/bus-admin.js';
import { createAccountStore } from '../src/read-model/account-store.js';
import { createAssetStore } from '../src/read-model/asset-store.js';
import { createJobStore } from '../src/read-model/job-store.js';
import type { AccountStore, AssetStore, JobStore } from '../src/read-model/ports.js';
import { createSafePublish } from '../src/safe-publish.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` } as const;

/** A logger whose lines the test can read back. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ service: 'gateway-test', level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines };
}

export interface Harness {
  app: FastifyInstance;
  redis: Redis;
  keys: Keys;
  conn: Connection;
  jobs: JobStore;
  assets: AssetStore;
  accounts: AccountStore;
  keyring: Keyring;
  providers: ProviderRegistry;
  logLines: string[];
  entries(type: EventType): Promise<Array<{ streamId: string; fields: Record<string, string> }>>;
  close(): Promise<void>;
}

/** Real stores on a database of its own, real Redis under a prefix of its own. */
export async function createHarness(overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const keys = createKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const conn = await mongoose.createConnection(mongoUri(), { dbName: `gw_${randomUUID().slice(0, 8)}` }).asPromise();
  const [jobs, assets, accounts] = await Promise.all([createJobStore(conn), createAssetStore(conn), createAccountStore(conn)]);
  const keyring = parseKeyring(randomBytes(32).toString('base64'));
  const providers = createProviderRegistry({ pixverse: createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' }) });
  const { logger, lines } = memoryLogger();
  const app = buildApp({
    logger, adminToken: ADMIN_TOKEN, jobs, assets, accounts, providers, keyring,
    publish: createSafePublish(createPublisher({ redis, keys }), 2_000),
    bus: createBusAdmin(redis, keys), readiness: { redis: async () => redis.ping() },
    ...overrides,
  });
  await app.ready();
  return {
    app, redis, keys, conn, jobs, assets, accounts, keyring, providers, logLines: lines,
    async entries(type) {
      const raw = (await redis.xrange(keys.stream(type), '-', '+')) as [string, string[]][];
      return raw.map(([streamId, fields]) => ({ streamId, fields: fieldsToRecord(fields) }));
    },
    async close() {
      await app.close();
      await providers.close();
      await conn.dropDatabase().catch(() => {});
      await conn.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    },
  };
}

export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: the vitest global setup should start a dev server');
  return uri;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

export const validJob = (over: Record<string, unknown> = {}) => ({
  operation_type: 'text_to_video',
  params: { prompt: 'a cat surfing at sunset', model: 'v5', quality: '540p', duration: 5, aspect_ratio: '16:9', seed: 42 },
  ...over,
});
