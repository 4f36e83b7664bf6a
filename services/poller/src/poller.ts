import { createCredentialOpener, createResealer, type Opener } from '@pixsim/credentials';
import { consume, leaseOwner, type ConsumerSpec, type ServiceContext } from '@pixsim/kit';
import { createPixverseProvider, registerBreakerMetrics, type VideoProvider } from '@pixsim/providers';
import type { Config } from './config.js';
import type { Publish } from './events.js';
import type { GenerationStore } from './generation.js';
import { openGenerationStore } from './generation-store.js';
import { createCancelHandler, createJobFailedHandler, createSubmittedHandler } from './handlers.js';
import { createPollLoop, type PollLoop } from './poll-loop.js';
import { createPollMetrics } from './poll-metrics.js';

export interface Poller {
  consumers: ConsumerSpec[];
  store: GenerationStore;
  loop: PollLoop;
  start(): Promise<void>;
  /** Stops taking work (polls, re-seal passes); what is under way finishes. */
  quiesce(): Promise<void>;
  /** quiesce, then closes the provider client (one the caller passed in stays open). */
  stop(): Promise<void>;
}

/** How often credentials sealed under an older key are sealed again under the current one. */
const RESEAL_INTERVAL_MS = 5 * 60_000;

type PollerContext = Pick<ServiceContext<Config>, 'config' | 'mongo' | 'publisher' | 'registry' | 'logger'>;

/** The service's wiring, shared by main.ts and the integration tests (which bring their own provider). */
export async function buildPoller(
  ctx: PollerContext,
  opts: { provider?: VideoProvider; owner?: string } = {},
): Promise<Poller> {
  const { config, logger } = ctx;
  const store = await openGenerationStore(ctx.mongo);
  const provider =
    opts.provider ??
    createPixverseProvider({ baseUrl: config.PIXVERSE_BASE_URL, logger: logger.child({ component: 'pixverse' }) });
  if (!opts.provider) registerBreakerMetrics(ctx.registry, provider);
  const publish: Publish = (input) => ctx.publisher.publish(input);
  const clock = () => new Date();
  const opener: Opener = { ring: config.PIXSIM_SEALING_PRIVATE_KEYS, legacy: config.PIXSIM_SECRET_KEY };
  // Every poll opens its generation's key; the same few (one per account) again and again.
  const credentials = createCredentialOpener(opener);
  const pollIntervalMs = config.POLL_INTERVAL_S * 1000;
  const loop = createPollLoop({
    store,
    provider,
    publish,
    clock,
    openCredential: (gen) => credentials.open(gen.account_id, gen.credential),
    // Unique per process: a restarted replica must not think it still holds its old leases.
    owner: opts.owner ?? leaseOwner(config),
    settings: {
      tickMs: config.POLL_TICK_MS,
      batch: config.POLL_BATCH,
      concurrency: config.POLL_CONCURRENCY,
      leaseMs: config.LEASE_MS,
      pollIntervalMs,
      jobTimeoutMs: config.JOB_TIMEOUT_S * 1000,
    },
    logger: logger.child({ component: 'poll-loop' }),
    metrics: createPollMetrics(ctx.registry, () => store.countPolling()),
  });
  const firstPollDelayMs = config.FIRST_POLL_DELAY_MS ?? Math.min(pollIntervalMs, 2_000);
  /** No new polls or passes; those under way finish. Safe to call again. */
  const quiesce = async () => {
    await resealer.stop();
    await loop.stop();
  };
  const resealer = createResealer({
    opener,
    port: store,
    logger,
    registry: ctx.registry,
    holders: 'polling generations',
  });
  return {
    consumers: [
      consume({ type: 'JOB_SUBMITTED', handler: createSubmittedHandler({ store, publish, clock, firstPollDelayMs }) }),
      consume({ type: 'JOB_CANCEL_REQUESTED', handler: createCancelHandler({ store, publish, clock }) }),
      consume({ type: 'JOB_FAILED', handler: createJobFailedHandler({ store, clock }) }),
      // A provider webhook: check that generation now instead of at its next turn.
      consume({
        type: 'GENERATION_POKED',
        handler: async ({ data }) => void (await loop.pokeNow(data.provider_job_id)),
      }),
    ],
    store,
    loop,
    async start() {
      await loop.start();
      resealer.start(RESEAL_INTERVAL_MS);
    },
    quiesce,
    async stop() {
      await quiesce();
      if (!opts.provider) await provider.close(); // a provider passed in belongs to the caller
    },
  };
}
