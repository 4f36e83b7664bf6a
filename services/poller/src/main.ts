import { consume, isEntryPoint, leaseOwner, runService, type ConsumerSpec, type ServiceContext } from '@pixsim/kit';
import { createCredentialOpener, createResealer, type Opener } from '@pixsim/credentials';
import {
  createPixverseProvider,
  PIXVERSE_DEFAULT_CONNECTIONS,
  registerBreakerMetrics,
  type VideoProvider,
} from '@pixsim/providers';
import { readConfig, type Config } from './config.js';
import { drainMs } from './drain.js';
import type { Publish } from './events.js';
import type { GenerationStore } from './generation.js';
import { createCancelHandler, createJobFailedHandler, createSubmittedHandler } from './handlers/ledger-handlers.js';
import { createPollLoop } from './poll-loop.js';
import type { PollLoop } from './poll-loop-port.js';
import { createPollMetrics } from './poll-metrics.js';
import { openGenerationStore } from './store/generation-store.js';

export interface Poller {
  consumers: ConsumerSpec[];
  store: GenerationStore;
  loop: PollLoop;
  start(): Promise<void>;
  /** Stops taking work (polls, re-seal passes); what is under way finishes. Safe to call again. */
  stop(): Promise<void>;
}

/** What the poller is built from besides the service context: each is the caller's, none has a default. */
export interface PollerDeps {
  provider: VideoProvider;
  clock: () => Date;
  /** The lease holder's name, unique per process: a restarted replica must not think it holds its old leases. */
  owner: string;
  /** The provider client's own deadline per status call, if it has one (statusDeadlineMs: the one to give it). */
  providerDeadlineMs?: number;
}

/** The status call deadline for the provider client: half the lease, so a call started on a fresh lease ends inside it. */
export const statusDeadlineMs = (c: Pick<Config, 'LEASE_MS'>): number => Math.floor(c.LEASE_MS / 2);

/** JOB_SUBMITTED events handled at once at least (MAX_JOBS when higher). */
const SUBMISSIONS_AT_ONCE = 50;

/** How often credentials sealed under an older key are sealed again under the current one. */
const RESEAL_INTERVAL_MS = 5 * 60_000;

type PollerContext = Pick<ServiceContext<Config>, 'config' | 'mongo' | 'publisher' | 'registry' | 'logger'>;

/** The service's wiring: run below as the service, and by the integration tests with their own provider. */
export async function buildPoller(ctx: PollerContext, deps: PollerDeps): Promise<Poller> {
  const { config, logger } = ctx;
  const { provider, clock } = deps;
  const store = await openGenerationStore(ctx.mongo);
  const publish: Publish = (input) => ctx.publisher.publish(input);
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
    owner: deps.owner,
    settings: {
      tickMs: config.POLL_TICK_MS,
      idleTickMs: config.POLL_IDLE_TICK_MS,
      batch: config.POLL_BATCH,
      maxHeld: config.POLL_MAX_HELD,
      concurrency: config.POLL_CONCURRENCY,
      leaseMs: config.LEASE_MS,
      pollIntervalMs,
      jobTimeoutMs: config.JOB_TIMEOUT_S * 1000,
      providerDeadlineMs: deps.providerDeadlineMs,
    },
    logger: logger.child({ component: 'poll-loop' }),
    metrics: createPollMetrics(ctx.registry, () => store.countPolling()),
  });
  const firstPollDelayMs = config.FIRST_POLL_DELAY_MS ?? Math.min(pollIntervalMs, 2_000);
  const resealer = createResealer({
    opener,
    port: store,
    logger,
    registry: ctx.registry,
    holders: 'polling generations',
  });
  return {
    consumers: [
      consume({
        type: 'JOB_SUBMITTED',
        // Recorded leased to this replica and polled from its memory: no claim on the job's path.
        handler: createSubmittedHandler({ store, publish, clock, firstPollDelayMs, holder: loop }),
        // Recording a submission is a share of a bulkWrite: the more at once, the fewer round trips.
        concurrency: Math.max(config.MAX_JOBS, SUBMISSIONS_AT_ONCE),
      }),
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
    async stop() {
      await resealer.stop();
      await loop.stop();
    },
  };
}

// The composition root: run as the service when started as the entry point (node src/main.ts).
if (isEntryPoint(import.meta.url)) {
  const config = readConfig();
  await runService({
    name: 'poller',
    config,
    defaultOpsPort: 9103,
    drainMs: drainMs(config),
    async build(ctx) {
      const provider = createPixverseProvider({
        baseUrl: config.PIXVERSE_BASE_URL,
        logger: ctx.logger.child({ component: 'pixverse' }),
        // A connection per status call in flight, so none waits for a socket.
        pool: { connections: Math.max(PIXVERSE_DEFAULT_CONNECTIONS, config.POLL_CONCURRENCY) },
        // The client bounds each status call itself; the loop adds a signal only to the calls
        // that a shorter remainder of their lease bounds.
        timeouts: { requestMs: statusDeadlineMs(config) },
      });
      registerBreakerMetrics(ctx.registry, provider);
      const poller = await buildPoller(ctx, {
        provider,
        clock: () => new Date(),
        owner: leaseOwner(config),
        providerDeadlineMs: statusDeadlineMs(config),
      });
      return {
        consumers: poller.consumers,
        start: poller.start,
        quiesce: poller.stop,
        stop: async () => {
          await poller.stop();
          await provider.close();
        },
      };
    },
  });
}
