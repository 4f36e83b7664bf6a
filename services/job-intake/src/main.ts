import { consume, runService } from '@pixsim/kit';
import { createPixverseProvider, createProviderRegistry } from '@pixsim/providers';
import type { EventData } from '@pixsim/contracts';
import { readConfig } from './config.js';
import { createJobRequestedHandler } from './handlers/job-requested.js';
import { createJobStatusHandler } from './handlers/job-status.js';
import { createJobStore } from './store/job-store.js';

const config = readConfig();

await runService({
  name: 'job-intake',
  config,
  defaultOpsPort: 9101,
  async build({ mongo, publisher }) {
    const jobs = createJobStore(mongo);
    const registry = createProviderRegistry({ pixverse: createPixverseProvider({ baseUrl: config.PIXVERSE_BASE_URL }) });
    const validate = (req: EventData<'JOB_REQUESTED'>) => {
      try {
        return registry.get(req.provider_id).validate({ operationType: req.operation_type, params: req.params });
      } catch {
        return [{ field: 'provider_id', message: `unknown provider "${req.provider_id}"` }];
      }
    };
    const onStatus = createJobStatusHandler(jobs);
    return {
      consumers: [
        consume({ type: 'JOB_REQUESTED', handler: createJobRequestedHandler({ jobs, validate, publish: (i) => publisher.publish(i) }) }),
        consume({ type: 'JOB_DEFERRED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_SUBMITTED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_COMPLETED', handler: (e) => onStatus(e) }),
        consume({ type: 'JOB_FAILED', handler: (e) => onStatus(e) }),
        consume({ type: 'ASSET_CREATED', handler: (e) => onStatus(e) }),
      ],
    };
  },
});
