import { Counter } from 'prom-client';
import { consume, DAY_MS, runService } from '@pixsim/kit';
import { readConfig } from './config.js';
import { createJobJournal } from './handlers/job-journal.js';
import { createPurgedReplayCheck } from './handlers/purged-replay.js';
import { createJobRequestedHandler } from './handlers/job-requested.js';
import { createJobStatusHandler } from './handlers/job-status.js';
import { createJobStore } from './store/job-store.js';
import { drainMs } from './drain.js';
import { observeEndToEnd } from './outcome-metrics.js';

const config = readConfig();

await runService({
  name: 'job-intake',
  config,
  defaultOpsPort: 9101,
  drainMs: drainMs(),
  async build({ mongo, publisher, registry, logger }) {
    const retentionMs = config.PIXSIM_JOB_RETENTION_DAYS * DAY_MS;
    const jobs = observeEndToEnd(createJobStore(mongo, { retentionMs }), registry);
    const outcomes = new Counter({
      name: 'pixsim_job_outcomes_total',
      help: 'Jobs that ended, by final status and error code',
      labelNames: ['status', 'error_code'],
      registers: [registry],
    });
    const journal = createJobJournal(logger.child({ component: 'journal' }));
    const onTerminal = (status: string, code: string | null) => outcomes.inc({ status, error_code: code ?? '' });
    const pastRetention = new Counter({
      name: 'pixsim_replays_past_retention_total',
      help: 'Events older than the retention whose record was purged, acknowledged without effect',
      labelNames: ['event'],
      registers: [registry],
    });
    const isPurgedReplay = createPurgedReplayCheck({
      jobs,
      retentionMs,
      clock: () => new Date(),
      onDropped: (event, ageMs) => {
        pastRetention.inc({ event: event.type });
        logger.warn(
          { job_id: event.data.job_id, event: event.type, age_days: Math.floor(ageMs / DAY_MS) },
          'event older than the job retention for a job with no record: its record was purged, so it is acknowledged without effect',
        );
      },
    });
    const onStatus = createJobStatusHandler({ jobs, journal, onTerminal, isPurgedReplay });
    return {
      consumers: [
        consume({
          type: 'JOB_REQUESTED',
          handler: createJobRequestedHandler({
            jobs,
            journal,
            onTerminal,
            isPurgedReplay,
            publish: (i) => publisher.publish(i),
          }),
        }),
        consume({ type: 'JOB_DEFERRED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_SUBMITTED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_COMPLETED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_FAILED', handler: (e) => onStatus(e) }),
        consume({ type: 'ASSET_CREATED', handler: (e) => onStatus(e) }),
      ],
    };
  },
});
