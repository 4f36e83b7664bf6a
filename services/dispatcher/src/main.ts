import { createCredentialOpener, createResealer, type Opener } from '@pixsim/credentials';
import { consume, DAY_MS, every, runService } from '@pixsim/kit';
import { createPixverseProvider, registerBreakerMetrics } from '@pixsim/providers';
import { createAccountViews } from './account-views.js';
import { readConfig } from './config.js';
import { createAnnouncer } from './dispatch/announcer.js';
import { createDispatchJob } from './dispatch/dispatch-job.js';
import { createScanner } from './dispatch/scanner.js';
import { createAccountCommandHandler } from './handlers/account-command.js';
import { createCancelHandler } from './handlers/cancel.js';
import { createJobCreatedHandler } from './handlers/job-created.js';
import { createJobEndedHandler } from './handlers/job-ended.js';
import { createPurgedReplayCheck } from './handlers/purged-replay.js';
import { createDispatcherMetrics } from './metrics.js';
import { createReconciler } from './reconciler.js';
import { createAccountStore } from './store/account-store.js';
import { createSubmissionStore } from './store/submission-store.js';
import { drainMs } from './drain.js';

const config = readConfig();
const opener: Opener = { ring: config.PIXSIM_SEALING_PRIVATE_KEYS, legacy: config.PIXSIM_SECRET_KEY };
/** Each submit opens its account's key: the same few, again and again. */
const credentials = createCredentialOpener(opener);
/** How often provider keys sealed under an older key are sealed again under the current one. */
const RESEAL_INTERVAL_MS = 5 * 60_000;

await runService({
  name: 'dispatcher',
  config,
  defaultOpsPort: 9102,
  drainMs: drainMs(config),
  async build({ mongo, publisher, registry, logger }) {
    const clock = () => new Date();
    const accounts = createAccountStore(mongo);
    const retentionMs = config.PIXSIM_SUBMISSION_RETENTION_DAYS * DAY_MS;
    const submissions = createSubmissionStore(mongo, { clock, retentionMs });
    const provider = createPixverseProvider({
      baseUrl: config.PIXVERSE_BASE_URL,
      logger,
      timeouts: { requestMs: config.PROVIDER_TIMEOUT_MS },
      breaker: {
        resetTimeoutMs: config.BREAKER_RESET_MS,
        errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
        volumeThreshold: config.BREAKER_VOLUME,
      },
    });
    const publish = (i: Parameters<typeof publisher.publish>[0]) => publisher.publish(i);
    const metrics = createDispatcherMetrics(registry, accounts);
    registerBreakerMetrics(registry, provider);
    const views = createAccountViews({ accounts, publish, flushMs: config.ACCOUNT_VIEW_FLUSH_MS, logger });
    const announcer = createAnnouncer({
      submissions,
      accounts,
      publish,
      clock,
      onMarkFailed: (jobId, err) =>
        logger.warn(
          { job_id: jobId, err },
          'could not mark an announced outcome; the sweep will publish it again under the same id',
        ),
    });
    const dispatchJob = createDispatchJob({
      submissions,
      accounts,
      provider,
      publish,
      announcer,
      logger,
      metrics,
      clock,
      accountChanged: (id) => views.touch(id),
      openCredential: (a) => credentials.open(a._id, a.credential),
      settings: {
        maxTries: config.MAX_TRIES,
        cooldownMs: config.COOLDOWN_MS,
        retryBaseMs: config.RETRY_BASE_MS,
        staleMs: config.SUBMIT_STALE_MS,
        submitConcurrency: config.SUBMIT_CONCURRENCY,
      },
    });
    const scanner = createScanner({
      submissions,
      dispatchJob,
      intervalMs: config.SCAN_INTERVAL_MS,
      costOf: (job) => provider.estimateCost({ operationType: job.operation_type, params: job.params }),
      hasFreeSlot: (providerId) => accounts.hasFreeSlot(providerId, clock()),
      staleMs: config.SUBMIT_STALE_MS,
      concurrency: config.MAX_JOBS,
      logger,
      clock,
    });
    const changed = (accountId: string) => {
      views.touch(accountId);
      scanner.kick();
    };
    const reconcile = createReconciler({
      accounts,
      submissions,
      onRepaired: (id, from, to) => {
        metrics.repaired();
        logger.warn({ account_id: id, from, to }, 'repaired a drifted account in-flight counter');
        changed(id);
      },
    });

    const onJobCreated = createJobCreatedHandler({
      submissions,
      accounts,
      provider,
      announcer,
      publish,
      dispatchJob,
      backlog: () => scanner.backlog,
      kickScanner: () => scanner.kick(),
      accountChanged: (id) => views.touch(id),
      isPurgedReplay: createPurgedReplayCheck({
        submissions,
        retentionMs,
        clock,
        onDropped: (job, ageMs) => {
          metrics.replayPastRetention();
          logger.warn(
            { job_id: job.job_id, created_at: job.created_at, age_days: Math.floor(ageMs / DAY_MS) },
            'JOB_CREATED older than the submission retention with no submission: its record was purged, so it is acknowledged without submitting it again',
          );
        },
      }),
      clock,
    });

    const resealer = createResealer({ opener, port: accounts, logger, registry, holders: 'provider account keys' });

    const reconciling = every({
      intervalMs: config.RECONCILE_INTERVAL_MS,
      run: async () => void (await reconcile()),
      onError: (err) => logger.warn({ err }, 'reconciliation failed'),
    });
    const sweeping = every({
      intervalMs: 2_000,
      run: async () => void (await announcer.sweep()),
      onError: (err) => logger.warn({ err }, 'announcing recorded outcomes failed; will retry'),
    });
    return {
      consumers: [
        consume({ type: 'JOB_CREATED', handler: onJobCreated }),
        consume({
          type: 'JOB_COMPLETED',
          handler: createJobEndedHandler({ submissions, accounts, onSlotFreed: changed }),
        }),
        consume({
          type: 'JOB_FAILED',
          handler: createJobEndedHandler({ submissions, accounts, onSlotFreed: changed }),
        }),
        consume({ type: 'JOB_CANCEL_REQUESTED', handler: createCancelHandler({ submissions, announcer, clock }) }),
        consume({
          type: 'ACCOUNT_COMMAND',
          // One at a time, in stream order: a top-up must not overtake the account's creation.
          concurrency: 1,
          handler: createAccountCommandHandler({
            accounts,
            logger,
            onChanged: changed,
            clock,
            balance: async (a) => (await provider.balance({ apiKey: credentials.open(a._id, a.credential) })).credits,
          }),
        }),
      ],
      async start(consumers) {
        // While the provider's submit breaker is open, stop reading new jobs: they wait in the stream.
        provider.onBreakerChange((name, state) => {
          if (name !== 'submit') return;
          logger.warn(
            { breaker: name, state },
            state === 'open'
              ? 'provider breaker open: pausing dispatch'
              : 'provider breaker recovering: resuming dispatch',
          );
          const created = consumers.get('JOB_CREATED');
          if (state === 'open') {
            created?.pause();
            scanner.pause();
          } else {
            created?.resume();
            scanner.resume();
          }
        });
        views.start();
        scanner.start();
        resealer.start(RESEAL_INTERVAL_MS);
        reconciling.start();
        sweeping.start();
      },
      async quiesce() {
        await Promise.all([reconciling.stop(), sweeping.stop()]);
        await resealer.stop();
        await scanner.stop();
      },
      async stop() {
        // After the consumers drained: account changes made while they did are announced too.
        await views.stop();
        await provider.close();
      },
    };
  },
});
