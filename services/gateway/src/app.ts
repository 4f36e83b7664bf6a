import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { monotonicFactory, ulid } from 'ulid';
import { mountOpsRoutes, type Keyring, type Logger, type ReadinessChecks, type Registry } from '@pixsim/kit';
import type { ProviderRegistry } from '@pixsim/providers';
import { createAccountCommands } from './accounts/account-commands.js';
import { adminTokenAuthenticator } from './auth/admin-token.js';
import { installBearerAuth, requireRole } from './auth/bearer-auth.js';
import type { Authenticator } from './auth/principal.js';
import type { BusAdmin } from './bus-admin.js';
import { installErrorBoundary } from './http/error-boundary.js';
import { createJobSubmitter } from './jobs/submit-job.js';
import type { Clock, NewId, Publish } from './ports.js';
import type { AccountStore, AssetStore, JobStore } from './read-model/ports.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerJobRoutes } from './routes/jobs.js';

export interface AppDeps {
  logger: Logger;
  adminToken: string;
  /** Tried after the admin token; users' sessions and API keys go here later. */
  authenticators?: readonly Authenticator[];
  jobs: JobStore;
  assets: AssetStore;
  accounts: AccountStore;
  publish: Publish;
  providers: Pick<ProviderRegistry, 'has' | 'get'>;
  keyring: Keyring;
  bus: BusAdmin;
  readiness: ReadinessChecks;
  registry?: Registry;
  bodyLimit?: number;
  clock?: Clock;
  newId?: NewId;
}

/** The gateway's HTTP app, without listening: main.ts listens, tests use `app.inject()`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const clock = deps.clock ?? (() => new Date());
  // Monotonic: ids minted in the same millisecond still sort in minting order, as lists do.
  const newId = deps.newId ?? monotonicFactory();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit ?? 1_048_576,
    genReqId: () => ulid(),
  });
  app.removeContentTypeParser('text/plain'); // JSON in only: anything else is a 415
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installErrorBoundary(app);
  mountOpsRoutes(app, { readiness: deps.readiness, registry: deps.registry, logger: deps.logger });

  const submitJob = createJobSubmitter({ ...deps, clock, newId });
  const commands = createAccountCommands({ ...deps, clock, newId });
  app.register(async (api) => {
    installBearerAuth(api, [adminTokenAuthenticator(deps.adminToken), ...(deps.authenticators ?? [])]);
    registerJobRoutes(api, { jobs: deps.jobs, submitJob });
    registerAssetRoutes(api, { assets: deps.assets });
    await api.register(async (admin) => {
      admin.addHook('preHandler', requireRole('admin'));
      registerAccountRoutes(admin, { accounts: deps.accounts, commands });
      registerAdminRoutes(admin, { bus: deps.bus });
    });
  }, { prefix: '/api/v1' });
  return app;
}
