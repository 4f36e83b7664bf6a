import { Counter } from 'prom-client';
import { consume, runService } from '@pixsim/kit';
import { readConfig } from './config.js';
import { createJobJournal } from './handlers/job-journal.js';
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
    const jobs = observeEndToEnd(createJobStore(mongo), registry);
    const outcomes = new Counter({
      name: 'pixsim_job_outcomes_total',
      help: 'Jobs that ended, by final status and error code',
      labelNames: ['status', 'error_code'],
      registers: [registry],
    });
    const journal = createJobJournal(logger.child({ component: 'journal' }));
    const onTerminal = (status: string, code: string | null) => outcomes.inc({ status, error_code: code ?? '' });
    const onStatus = createJobStatusHandler({ jobs, journal, onTerminal });
    return {
      consumers: [
        consume({
          type: 'JOB_REQUESTED',
          handler: createJobRequestedHandler({
            jobs,
            journal,
            onTerminal,
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
