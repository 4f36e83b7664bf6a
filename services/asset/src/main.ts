import { Counter } from 'prom-client';
import { consume, createIdFactory, DAY_MS, runService } from '@pixsim/kit';
import { createAssetHandler } from './handlers/job-completed.js';
import { createPurgedReplayCheck } from './handlers/purged-replay.js';
import { openAssetStore } from './store/asset-store.js';
import { readConfig } from './config.js';
import { drainMs } from './drain.js';

const config = readConfig();

await runService({
  name: 'asset',
  config,
  defaultOpsPort: 9104,
  drainMs: drainMs(),
  async build({ mongo, publisher, registry, logger }) {
    const retentionMs = config.PIXSIM_JOB_RETENTION_DAYS * DAY_MS;
    const clock = () => new Date();
    const newId = createIdFactory();
    const store = await openAssetStore(mongo, { newId, retentionMs });
    const pastRetention = new Counter({
      name: 'pixsim_replays_past_retention_total',
      help: 'Events older than the retention whose record was purged, acknowledged without effect',
      labelNames: ['event'],
      registers: [registry],
    });
    const handler = createAssetHandler({
      store,
      publish: (input) => publisher.publish(input),
      clock,
      newId,
      isPurgedReplay: createPurgedReplayCheck({
        store,
        retentionMs,
        clock,
        onDropped: (job, ageMs) => {
          pastRetention.inc({ event: 'JOB_COMPLETED' });
          logger.warn(
            { job_id: job.job_id, completed_at: job.completed_at, age_days: Math.floor(ageMs / DAY_MS) },
            'JOB_COMPLETED older than the job retention with no asset: its records expired, so no asset is made again',
          );
        },
      }),
    });
    return { consumers: [consume({ type: 'JOB_COMPLETED', handler })] };
  },
});
