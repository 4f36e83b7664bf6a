import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { FastifyInstance } from 'fastify';
import { createPublisher } from '@pixsim/bus';
import { createKeys, fieldsToRecord, type EventType, type Keys } from '@pixsim/contracts';
import { generateSealingKeyPair, parsePrivateKeys, parsePublicKey, type Opener } from '@pixsim/credentials';
import { createIdFactory, createLogger, type Logger } from '@pixsim/kit';
import { providerCatalog, type ProviderCatalog } from '@pixsim/providers/rules';
import { deleteKeys, mongoUri, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { buildApp, type AppDeps } from '../src/app.js';
import { createBusAdmin } from '../src/bus-admin.js';
import { createAccountStore } from '../src/store/account-store.js';
import { createAssetStore } from '../src/store/asset-store.js';
import { createJobStore } from '../src/store/job-store.js';
import type { AccountStore, AssetStore, JobStore } from '../src/store/ports.js';
import { createSafePublish } from '../src/safe-publish.js';
import { apiKeyAuthenticator, sessionAuthenticator } from '../src/auth/user-authenticators.js';
import { createAccessTokens, type AccessTokens } from '../src/identity/access-tokens.js';
import { createIdentityService, type IdentityDeps } from '../src/identity/identity-service.js';
import { createIdentityStores } from '../src/store/identity-store.js';
import { createPasswordHasher } from '../src/identity/password.js';
import type { IdentityStores } from '../src/identity/ports.js';
import { createIdempotencyStore } from '../src/store/idempotency-store.js';
import type { ResolveHost } from '../src/jobs/public-url.js';
import type { JobUpdates } from '../src/live/job-updates.js';
import { memoryJobUpdates, noJobInsights } from './fakes.js';
import { redisNonceStore } from '../src/webhooks/webhook-ports.js';
import { NO_LIMITS } from '../src/quota/quota.js';
import { createCallbackSecrets } from '../src/callbacks/callback-secrets.js';
import { createQuotaStore } from '../src/quota/quota-store.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` } as const;
export const JWT_SECRET = 'test-jwt-secret-0123456789-0123456789';
export const WEBHOOK_SECRET = 'test-webhook-secret-0123';
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Offline DNS: *.example.com is public, localhost is loopback, the rest does not exist. */
export const fakeResolver: ResolveHost = async (host) => {
  if (host === 'localhost')
    return [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ];
  if (host === 'example.com' || host.endsWith('.example.com')) return [{ address: '93.184.215.14', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};

/** Mutable test clock (tokens, sessions, webhooks). */
export function testClock(start = Date.now()) {
  let now = start;
  const clock = () => new Date(now);
  return Object.assign(clock, { advance: (ms: number) => void (now += ms) });
}

/** A logger whose lines the test can read back. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'gateway-test',
    level: 'info',
    destination: { write: (s: string) => void lines.push(s) },
  });
  return { logger, lines };
}

export interface Harness {
  prefix: string;
  app: FastifyInstance;
  redis: Redis;
  keys: Keys;
  conn: Connection;
  jobs: JobStore;
  assets: AssetStore;
  accounts: AccountStore;
  /** What the dispatcher would open credentials with; the gateway itself gets only the public key. */
  opener: Opener;
  providers: ProviderCatalog;
  identity: IdentityStores;
  tokens: AccessTokens;
  updates: JobUpdates;
  clock: ReturnType<typeof testClock>;
  logLines: string[];
  entries(type: EventType): Promise<Array<{ streamId: string; fields: Record<string, string> }>>;
  close(): Promise<void>;
}

export const CALLBACK_ROOT = 'test-callback-root-0123456789';

export interface HarnessOptions {
  /** Another replica of an existing harness: the same Redis prefix and database (closing it drops neither). */
  replicaOf?: Harness;
  registration?: 'open' | 'closed';
}

/** Real stores on a database of its own, real Redis under a prefix of its own. */
export async function createHarness(overrides: Partial<AppDeps> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  const prefix = opts.replicaOf?.prefix ?? uniqueName('t');
  const keys = createKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const dbName = opts.replicaOf?.conn.name ?? uniqueName('gw');
  const conn = await mongoose.createConnection(mongoUri(), { dbName }).asPromise();
  const [jobs, assets, accounts] = await Promise.all([
    createJobStore(conn),
    createAssetStore(conn),
    createAccountStore(conn),
  ]);
  const pair = generateSealingKeyPair();
  const opener: Opener = { ring: parsePrivateKeys(pair.privateKey) };
  const providers = providerCatalog;
  const { logger, lines } = memoryLogger();
  const [identity, idempotency] = await Promise.all([createIdentityStores(conn), createIdempotencyStore(conn)]);
  const clock = testClock();
  const tokens = createAccessTokens({ secret: JWT_SECRET, ttlS: 3600, clock });
  const updates = overrides.updates ?? memoryJobUpdates();
  const app = buildApp({
    logger,
    adminToken: ADMIN_TOKEN,
    jobs,
    assets,
    accounts,
    providers,
    sealingKey: parsePublicKey(pair.publicKey),
    idempotency,
    updates,
    clock,
    identity: identityServiceOf({ identity, tokens, clock }, { registration: opts.registration ?? 'open' }),
    authenticators: [sessionAuthenticator({ ...identity, tokens, clock }), apiKeyAuthenticator(identity)],
    publish: createSafePublish(createPublisher({ redis, keys, dedupeTtlSec: 600 }), 2_000),
    bus: createBusAdmin(redis, keys),
    readiness: { redis: async () => redis.ping() },
    resolveHost: fakeResolver,
    webhook: { secret: WEBHOOK_SECRET, nonces: redisNonceStore(redis, keys), poke: async () => {} },
    insights: noJobInsights,
    newId: createIdFactory(),
    users: identity.users,
    quota: { store: createQuotaStore(redis, keys, clock), defaults: NO_LIMITS },
    callbackSecrets: createCallbackSecrets({ root: CALLBACK_ROOT, graceS: 3_600, clock }),
    ...overrides,
  });
  await app.ready();
  return {
    prefix,
    app,
    redis,
    keys,
    conn,
    jobs,
    assets,
    accounts,
    opener,
    providers,
    identity,
    tokens,
    updates,
    clock,
    logLines: lines,
    async entries(type) {
      const raw = (await redis.xrange(keys.stream(type), '-', '+')) as [string, string[]][];
      return raw.map(([streamId, fields]) => ({ streamId, fields: fieldsToRecord(fields) }));
    },
    async close() {
      await app.close();
      if (!opts.replicaOf) {
        await conn.dropDatabase().catch(() => {});
        await deleteKeys(redis, prefix);
      }
      await conn.close();
      redis.disconnect();
    },
  };
}

/** An identity service over a harness's stores, built as the harness builds its own; `over` changes a part. */
export function identityServiceOf(
  h: Pick<Harness, 'identity' | 'tokens' | 'clock'>,
  over: Partial<IdentityDeps> = {},
): ReturnType<typeof createIdentityService> {
  return createIdentityService({
    ...h.identity,
    tokens: h.tokens,
    clock: h.clock,
    newId: createIdFactory(),
    registration: 'open',
    passwords: createPasswordHasher({ N: 1024, r: 8, p: 1 }), // cheap: tests log in often
    ...over,
  });
}

export const validJob = (over: Record<string, unknown> = {}) => ({
  operation_type: 'text_to_video',
  params: {
    prompt: 'a cat surfing at sunset',
    model: 'v5',
    quality: '540p',
    duration: 5,
    aspect_ratio: '16:9',
    seed: 42,
  },
  ...over,
});

/** Registers and logs in a user; returns its id and access token. */
export async function signUp(
  app: FastifyInstance,
  email = `u-${randomUUID().slice(0, 8)}@example.com`,
  password = 'correct horse battery',
) {
  const reg = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password } });
  if (reg.statusCode !== 201) throw new Error(`register: ${reg.statusCode} ${reg.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
  return { id: reg.json().id as string, email, password, token: login.json().access_token as string };
}

/** A registered user promoted to admin by the bootstrap admin. */
export async function signUpAdmin(app: FastifyInstance) {
  const user = await signUp(app);
  const res = await app.inject({
    method: 'PATCH',
    url: `/api/v1/admin/users/${user.id}`,
    headers: AUTH,
    payload: { role: 'admin' },
  });
  if (res.statusCode !== 200) throw new Error(`promote: ${res.statusCode} ${res.body}`);
  return user;
}
