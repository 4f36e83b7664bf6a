import { createPublisher } from '@pixsim/bus';
import {
  createIdFactory,
  createOpsServer,
  createRedis,
  leaseOwner,
  mongoPing,
  natsPing,
  redisPing,
  runService,
} from '@pixsim/kit';
import { providerCatalog } from '@pixsim/providers/rules';
import { buildApp } from './app.js';
import { assertAdministrable } from './auth/admin-token.js';
import { apiKeyAuthenticator, sessionAuthenticator } from './auth/user-authenticators.js';
import { createBusAdmin } from './bus-admin.js';
import { createCallbackSecrets } from './callbacks/callback-secrets.js';
import { readConfig, registrationMode } from './config.js';
import { drainMs } from './drain.js';
import { readModelConsumers } from './handlers/consumers.js';
import { createAccessTokens } from './identity/access-tokens.js';
import { createIdentityService } from './identity/identity-service.js';
import { createPasswordHasher } from './identity/password.js';
import { createHostResolver, parseDnsServers } from './jobs/host-resolver.js';
import { natsJobUpdates } from './live/job-updates.js';
import { streamLimitsFromConfig } from './live/stream-limits.js';
import { createQuotaStore } from './quota/quota-store.js';
import { createSafePublish } from './safe-publish.js';
import { createAccountStore } from './store/account-store.js';
import { createAssetStore } from './store/asset-store.js';
import { createIdempotencyStore } from './store/idempotency-store.js';
import { createIdentityStores } from './store/identity-store.js';
import { createJobStore } from './store/job-store.js';
import { createJobInsights } from './store/job-timeline.js';
import { publishPoke, redisNonceStore } from './webhooks/webhook-ports.js';

// Composition root: the only place that knows every concrete dependency.
const config = readConfig();
const clock = () => new Date();
// User-supplied host names (image_url, callback_url) resolve through c-ares, off libuv's thread pool.
const resolveHost = createHostResolver({
  servers: parseDnsServers(config.DNS_SERVERS),
  timeoutMs: config.DNS_TIMEOUT_MS,
  maxPerUser: config.DNS_MAX_PER_USER,
  maxInFlight: config.DNS_MAX_IN_FLIGHT,
});

await runService({
  name: 'gateway',
  config,
  nats: true, // live job views fan out to every replica
  defaultOpsPort: 9100, // unused: the gateway starts its own side server (below) when OPS_PORT is set
  drainMs: drainMs(config),
  async build(ctx) {
    const { logger } = ctx;
    const [jobs, assets, accounts, identityStores, idempotency, insights] = await Promise.all([
      createJobStore(ctx.mongo, {
        retentionDays: config.PIXSIM_JOB_RETENTION_DAYS,
        cacheSize: config.READ_MODEL_CACHE_SIZE,
      }),
      createAssetStore(ctx.mongo),
      createAccountStore(ctx.mongo),
      createIdentityStores(ctx.mongo),
      createIdempotencyStore(ctx.mongo),
      createJobInsights(ctx.mongo, { retentionDays: config.PIXSIM_JOB_RETENTION_DAYS }),
    ]);
    // Clients without an offline queue: with Redis down a POST fails fast with 503 (and the
    // rate limiter lets requests through) instead of queueing commands behind our back.
    const failFast = { enableOfflineQueue: false, maxRetriesPerRequest: 1 } as const;
    const publisherRedis = createRedis(config, { name: 'gateway:publisher', logger, options: failFast });
    const limiterRedis = createRedis(config, {
      name: 'gateway:rate-limit',
      logger,
      options: { ...failFast, commandTimeout: 500 },
    });
    // The gateway checks and prices requests but never calls a provider: the rules alone, no client.
    const providers = providerCatalog;
    const tokens = createAccessTokens({ secret: config.JWT_SECRET, ttlS: config.ACCESS_TOKEN_TTL_S, clock });
    const identity = createIdentityService({
      ...identityStores,
      passwords: createPasswordHasher(),
      tokens,
      registration: registrationMode(config),
      clock,
      newId: createIdFactory(),
    });
    const updates = natsJobUpdates(ctx.nats!, ctx.keys, (err) => logger.warn({ err }, 'nats job update failed'));
    // Shared dependencies, reported by /ready but never a 503: a blip of one must not take every
    // gateway pod out of its Service at once. Their outage shows in the answers (503 with
    // Retry-After) and in alerts; /ready fails only while this pod drains.
    const dependencies = {
      // Both clients: POST /jobs needs the publisher's, the consumers and /admin the other.
      redis: async () => Promise.all([redisPing(ctx.redis), redisPing(publisherRedis)]),
      mongodb: () => mongoPing(ctx.mongo),
      // Live job updates (SSE on every replica) travel over NATS.
      nats: () => natsPing(ctx.nats!),
    };
    // Dedupe on: an idempotent retry or a repeated cancel re-sends the same event id.
    const publish = createSafePublish(
      createPublisher({
        redis: publisherRedis,
        keys: ctx.keys,
        dedupeTtlSec: 86_400,
        maxLen: config.STREAM_MAX_LEN,
        // Every publish here answers a client: with replicas asked for, OK means a failover keeps it.
        replication: { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS },
      }),
      config.PUBLISH_TIMEOUT_MS,
    );
    const adminTokens = [config.PIXSIM_ADMIN_TOKEN, config.PIXSIM_ADMIN_TOKEN_PREVIOUS].filter(
      (t): t is string => t !== undefined,
    );
    await assertAdministrable(adminTokens, identityStores.users);
    const callbackSecrets = config.CALLBACK_SECRET
      ? createCallbackSecrets({
          root: config.CALLBACK_SECRET,
          previousRoot: config.CALLBACK_SECRET_PREVIOUS,
          graceS: config.CALLBACK_SECRET_GRACE_S,
          clock,
        })
      : undefined;
    // Loaded only when callbacks are on: their HTTP client (undici) is about 18 MiB resident.
    const callbacks = callbackSecrets
      ? await (await import('./callbacks/callbacks.js')).createCallbacks({
          conn: ctx.mongo,
          registry: ctx.registry,
          logger,
          secrets: callbackSecrets,
          users: identityStores.users,
          assets,
          resolveHost,
          owner: leaseOwner(config),
          settings: {
            timeoutMs: config.CALLBACK_TIMEOUT_MS,
            allowPrivate: config.CALLBACK_ALLOW_PRIVATE,
            concurrency: config.CALLBACK_CONCURRENCY,
            lanesPerUser: config.CALLBACK_LANES_PER_USER,
            maxAttempts: config.CALLBACK_MAX_ATTEMPTS,
            firstRetryMs: config.CALLBACK_FIRST_RETRY_MS,
          },
          clock,
        })
      : null;
    // Quotas share the publisher's fail-fast client: with Redis away a POST fails (503) either way.
    const quotaStore = createQuotaStore(publisherRedis, ctx.keys, clock);
    const app = buildApp({
      logger,
      adminToken: adminTokens,
      users: identityStores.users,
      quota: {
        store: quotaStore,
        defaults: {
          max_active_jobs: config.QUOTA_MAX_ACTIVE_JOBS ?? null,
          jobs_per_day: config.QUOTA_JOBS_PER_DAY ?? null,
          credits_per_day: config.QUOTA_CREDITS_PER_DAY ?? null,
        },
      },
      callbackSecrets,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      identity,
      jobs,
      assets,
      accounts,
      insights,
      idempotency,
      providers,
      updates,
      authenticators: [sessionAuthenticator({ ...identityStores, tokens, clock }), apiKeyAuthenticator(identityStores)],
      publish,
      sealingKey: config.PIXSIM_SEALING_PUBLIC_KEY,
      bus: createBusAdmin(ctx.redis, ctx.keys, { maxLen: config.STREAM_MAX_LEN }),
      readiness: {},
      // With OPS_PORT set (Kubernetes), /ready and /metrics leave the public port for the side server.
      ops: {
        advisory: dependencies,
        draining: ctx.signal,
        ...(config.OPS_PORT === undefined ? {} : { paths: ['/health'] }),
      },
      registry: ctx.registry,
      bodyLimit: config.BODY_LIMIT_BYTES,
      sseHeartbeatMs: config.SSE_HEARTBEAT_MS,
      sseStreamLimits: streamLimitsFromConfig(config),
      rateLimit: {
        redis: limiterRedis,
        keys: ctx.keys,
        ipMax: config.RATE_LIMIT_IP_MAX,
        userMax: config.RATE_LIMIT_USER_MAX,
        authMax: config.RATE_LIMIT_AUTH_MAX,
        accountMax: config.RATE_LIMIT_ACCOUNT_MAX,
        windowMs: config.RATE_LIMIT_WINDOW_MS,
      },
      webhook: {
        secret: config.PIXVERSE_WEBHOOK_SECRET,
        nonces: redisNonceStore(ctx.redis, ctx.keys),
        poke: publishPoke(publish, clock),
      },
      resolveHost,
      trustProxy: config.TRUST_PROXY,
      clock,
      newId: createIdFactory(),
      ...(callbacks ? { callbacks: { allowPrivate: config.CALLBACK_ALLOW_PRIVATE, store: callbacks.store } } : {}),
    });
    const ops =
      config.OPS_PORT === undefined
        ? null
        : createOpsServer({
            logger,
            port: config.OPS_PORT,
            host: config.OPS_HOST,
            readiness: {},
            advisory: dependencies,
            draining: ctx.signal,
            registry: ctx.registry,
            service: 'gateway',
          });
    return {
      consumers: readModelConsumers({
        jobs,
        assets,
        accounts,
        updates,
        onEnded: (userId, jobId) => quotaStore.release(userId, jobId),
        insights,
        clock,
        ...(callbacks ? { onView: callbacks.trigger } : {}),
      }),
      serveOps: false,
      async start() {
        const url = await app.listen({ port: config.PORT, host: config.HOST });
        if (ops) logger.info({ url: await ops.listen() }, 'ops endpoints: /health /ready /metrics');
        callbacks?.worker.start();
        logger.info({ url }, 'gateway listening');
      },
      async quiesce() {
        await app.close(); // stop taking requests (and end live streams); the consumers drain after this
        await callbacks?.worker.stop(); // POSTs in flight finish; the rest wait in MongoDB for any replica
      },
      async stop() {
        await ops?.close();
        publisherRedis.disconnect();
        limiterRedis.disconnect();
      },
    };
  },
});
