import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { SealingKey } from '@pixsim/credentials';
import {
  createIdFactory,
  mountOpsRoutes,
  type Logger,
  type OpsRoutesOptions,
  type ReadinessChecks,
  type Registry,
} from '@pixsim/kit';
import type { ProviderCatalog } from '@pixsim/providers/rules';
import { createAccountCommands } from './accounts/account-commands.js';
import { adminTokenAuthenticator } from './auth/admin-token.js';
import { installBearerAuth, requireRole } from './auth/bearer-auth.js';
import type { Authenticator } from './auth/principal.js';
import type { BusAdmin } from './bus-admin.js';
import type { CallbackStore } from './store/callback-store.js';
import { clientErrorHandler } from './http/client-errors.js';
import { frameworkErrors, installErrorBoundary } from './http/error-boundary.js';
import { installJsonBodyParser } from './http/json-body.js';
import { requestLoggerFactory } from './http/request-logger.js';
import { installRequestMetrics } from './http/request-metrics.js';
import { installRequestTimeout } from './http/request-timeout.js';
import type { StreamLimitSettings } from './live/stream-limits.js';
import { installOpenApi } from './http/openapi.js';
import type { JobInsights } from './store/job-timeline.js';
import { registerConsoleRoutes } from './routes/console.js';
import { registerJobStatsRoutes } from './routes/job-stats.js';
import { installRateLimit, type RateLimitSettings } from './http/rate-limit.js';
import type { IdentityService } from './identity/identity-service.js';
import { createJobCanceller } from './jobs/cancel-job.js';
import type { IdempotencyStore } from './store/idempotency-store.js';
import type { ResolveHost } from './jobs/public-url.js';
import { createJobSubmitter, type CallbackPolicy } from './jobs/submit-job.js';
import type { JobUpdates } from './live/job-updates.js';
import type { Clock, NewId, Publish } from './ports.js';
import type { AccountStore, AssetStore, JobStore } from './store/ports.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerCallbackAdminRoutes, registerCallbackRoutes } from './routes/callbacks.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerPublicAuthRoutes, registerSessionRoutes } from './routes/identity.js';
import { registerJobEventRoutes } from './routes/job-events.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerUserAdminRoutes, registerUserSelfRoutes } from './routes/users.js';
import { createUserAdmin } from './users/user-admin.js';
import type { UserStore } from './identity/ports.js';
import type { CallbackSecrets } from './callbacks/callback-secrets.js';
import type { QuotaLimits } from './quota/quota.js';
import type { QuotaStore } from './quota/quota-store.js';
import type { NonceStore, PokeGeneration } from './webhooks/webhook-ports.js';

interface RouteEntry {
  method: string;
  url: string;
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteEntry[];
  }
}

export interface AppDeps {
  logger: Logger;
  /** PIXSIM_ADMIN_TOKEN, and PIXSIM_ADMIN_TOKEN_PREVIOUS during a rotation; none once an admin user exists. */
  adminToken?: string | readonly string[];
  /** The users collection: the admin API, usage and callback secrets. */
  users: UserStore;
  /** Per-user quotas (Redis) and their defaults (NO_LIMITS: none). */
  quota: { store: QuotaStore; defaults: QuotaLimits };
  /** Per-user callback signing secrets; absent with callbacks off. */
  callbackSecrets?: CallbackSecrets;
  /** Tried after the admin token: sessions and API keys. */
  authenticators?: readonly Authenticator[];
  identity: IdentityService;
  jobs: JobStore;
  assets: AssetStore;
  accounts: AccountStore;
  /** Job timelines and counts for the console. */
  insights: JobInsights;
  /** Where the built console is (apps/console/dist); absent or missing, /console says how to build it. */
  consoleDir?: string;
  idempotency: IdempotencyStore;
  publish: Publish;
  providers: ProviderCatalog;
  sealingKey: SealingKey;
  bus: BusAdmin;
  readiness: ReadinessChecks;
  /** Advisory checks, the draining signal, and which probe paths the public port serves. */
  ops?: Pick<OpsRoutesOptions, 'advisory' | 'draining' | 'paths'>;
  registry?: Registry;
  bodyLimit?: number;
  /** Live job views from every replica (NATS in production). */
  updates: JobUpdates;
  sseHeartbeatMs?: number;
  /** Caps on live-update streams (per user, per replica) and their lifetime; defaults apply when unset. */
  sseStreamLimits?: Partial<StreamLimitSettings>;
  rateLimit?: RateLimitSettings;
  resolveHost: ResolveHost;
  /**
   * Callbacks to the client's own URL, and where they are kept (GET /jobs/{id}/callback,
   * its resend); absent, callbacks are off: a callback_url is refused.
   */
  callbacks?: CallbackPolicy & { store: Pick<CallbackStore, 'get' | 'resend' | 'list' | 'resendFailed'> };
  webhook?: { secret: string | undefined; nonces: NonceStore; poke: PokeGeneration };
  /** Whose X-Forwarded-For to believe: a hop count, or the proxies' addresses/CIDRs; false for none. */
  trustProxy?: false | number | readonly string[];
  /** REQUEST_TIMEOUT_MS: a deadline on each request but event streams; absent, none. */
  requestTimeoutMs?: number;
  clock: Clock;
  newId: NewId;
}

/** The gateway's HTTP app, without listening: main.ts listens, tests use `app.inject()`. */
/** Routes that check a password: each attempt costs a scrypt, so they have a limit of their own. */
const PASSWORD_ROUTES = new Set(['/api/v1/auth/login', '/api/v1/auth/register']);

export function buildApp(deps: AppDeps): FastifyInstance {
  const { clock, newId } = deps;
  const requestId = createIdFactory();
  const options: FastifyServerOptions = {
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    genReqId: () => requestId(),
    childLoggerFactory: requestLoggerFactory,
    frameworkErrors,
    clientErrorHandler,
    // A hop count trusts that many proxies nearest to us.
    trustProxy:
      typeof deps.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (deps.trustProxy as number)
        : Array.isArray(deps.trustProxy)
          ? [...deps.trustProxy]
          : false,
    // Node's own bound on receiving a request (headers and body): a slow sender is cut off.
    ...(deps.requestTimeoutMs ? { requestTimeout: deps.requestTimeoutMs } : {}),
  };
  const app = Fastify(options);
  app.removeContentTypeParser('text/plain'); // JSON in only: anything else is a 415
  installJsonBodyParser(app);
  // Hooks that do no I/O take `done` rather than return a promise: every request runs
  // them, and an async hook costs a promise and a turn of the microtask queue.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  installErrorBoundary(app);
  if (deps.requestTimeoutMs) installRequestTimeout(app, deps.requestTimeoutMs);
  // The route table, for the docs and fuzz tests ("every route is documented / survives").
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      routes.push({ method, url: r.url, hidden: Boolean((r.schema as { hide?: boolean } | undefined)?.hide) });
  });
  app.decorate('routeTable', routes);
  installOpenApi(app);
  registerConsoleRoutes(app, { dir: deps.consoleDir });
  const registry = mountOpsRoutes(app, {
    ...deps.ops,
    readiness: deps.readiness,
    registry: deps.registry,
    logger: deps.logger,
  });
  installRequestMetrics(app, registry);

  const submitJob = createJobSubmitter(deps);
  const cancelJob = createJobCanceller({ ...deps, clock });
  const users = createUserAdmin({
    users: deps.users,
    identity: deps.identity,
    quota: deps.quota.store,
    quotaDefaults: deps.quota.defaults,
    jobs: deps.jobs,
    cancelJob,
    callbackSecrets: deps.callbackSecrets,
    clock,
  });
  const commands = createAccountCommands({ ...deps, clock, newId });
  const { updates } = deps;
  app.register(
    async (api) => {
      const limits = await installRateLimit(api, deps.rateLimit);
      api.addHook('onRequest', limits.perIp);
      // A preHandler: the body is parsed by then, so attempts count per account as well as per IP.
      api.addHook('preHandler', (request, _reply, done) => {
        if (!PASSWORD_ROUTES.has(request.routeOptions.url ?? '')) return done();
        limits.perAuthAttempt(request).then(() => done(), done);
      });
      registerPublicAuthRoutes(api, deps);
      if (deps.webhook) registerWebhookRoutes(api, { ...deps.webhook, clock });
      await api.register(async (authed) => {
        const adminTokens = [deps.adminToken ?? []].flat();
        installBearerAuth(authed, [
          ...(adminTokens.length ? [adminTokenAuthenticator(adminTokens)] : []),
          ...(deps.authenticators ?? []),
        ]);
        authed.addHook('onRequest', limits.perUser);
        registerSessionRoutes(authed, deps);
        registerUserSelfRoutes(authed, { users });
        registerJobStatsRoutes(authed, { jobs: deps.jobs, insights: deps.insights, clock });
        registerJobRoutes(authed, { jobs: deps.jobs, submitJob, cancelJob, clock });
        registerCallbackRoutes(authed, { jobs: deps.jobs, callbacks: deps.callbacks?.store, clock });
        registerJobEventRoutes(authed, {
          jobs: deps.jobs,
          clock,
          updates,
          heartbeatMs: deps.sseHeartbeatMs ?? 15_000,
          streamLimits: deps.sseStreamLimits,
        });
        registerAssetRoutes(authed, { assets: deps.assets });
        await authed.register(async (admin) => {
          admin.addHook('preHandler', requireRole('admin'));
          registerAccountRoutes(admin, { accounts: deps.accounts, commands });
          registerAdminRoutes(admin, { bus: deps.bus });
          registerUserAdminRoutes(admin, { users });
          registerCallbackAdminRoutes(admin, { callbacks: deps.callbacks?.store, clock });
        });
      });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
