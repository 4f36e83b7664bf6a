import { createPublisher } from '@pixsim/bus';
import {
  createRedis, exitOnConfigError, loadConfig, mongoPing, parseKeyring, redisPing, runService,
} from '@pixsim/kit';
import { createPixverseProvider, createProviderRegistry } from '@pixsim/providers';
import { buildApp } from './app.js';
import { createBusAdmin } from './bus-admin.js';
import { configSchema } from './config.js';
import { readModelConsumers } from './handlers/consumers.js';
import { createAccountStore } from './read-model/account-store.js';
import { createAssetStore } from './read-model/asset-store.js';
import { createJobStore } from './read-model/job-store.js';
import { createSafePublish } from './safe-publish.js';

// Composition root (DESIGN §11): the only place that knows every concrete dependency.
const config = exitOnConfigError(() => loadConfig(configSchema));

await runService({
  name: 'gateway',
  config,
  defaultOpsPort: 9464, // unused: the gateway serves /health, /ready, /metrics on PORT
  async build(ctx) {
    const { logger } = ctx;
    const [jobs, assets, accounts] = await Promise.all([
      createJobStore(ctx.mongo), createAssetStore(ctx.mongo), createAccountStore(ctx.mongo),
    ]);
    // Its own client without an offline queue: with Redis down a POST fails fast with 503
    // instead of queueing a command that might still be sent after we answered.
    const publisherRedis = createRedis(config.REDIS_URL, {
      name: 'gateway:publisher', logger, options: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    });
    const providers = createProviderRegistry({ pixverse: createPixverseProvider({ baseUrl: config.PIXVERSE_BASE_URL }) });
    const readiness = {
      // Both clients: POST /jobs needs the publisher's, the consumers and /admin the other.
      redis: async () => Promise.all([redisPing(ctx.redis), redisPing(publisherRedis)]),
      mongodb: () => mongoPing(ctx.mongo),
    };
    const app = buildApp({
      logger, adminToken: config.PIXSIM_ADMIN_TOKEN, jobs, assets, accounts, providers,
      publish: createSafePublish(createPublisher({ redis: publisherRedis, keys: ctx.keys }), config.PUBLISH_TIMEOUT_MS),
      keyring: parseKeyring(config.PIXSIM_SECRET_KEY), bus: createBusAdmin(ctx.redis, ctx.keys),
      readiness, registry: ctx.registry, bodyLimit: config.BODY_LIMIT_BYTES,
    });
    return {
      consumers: readModelConsumers({ jobs, assets, accounts }),
      serveOps: false,
      async start() {
        const url = await app.listen({ port: config.PORT, host: config.HOST });
        logger.info({ url }, 'gateway listening');
      },
      async stop() {
        await app.close(); // stop taking requests first; consumers drain after this
        publisherRedis.disconnect();
        await providers.close();
      },
    };
  },
});
