import { ulid } from 'ulid';
import { consume, runService } from '@pixsim/kit';
import { createAssetHandler } from './handlers/job-completed.js';
import { openAssetStore } from './store/asset-store.js';
import { readConfig } from './config.js';
import { drainMs } from './drain.js';

const config = readConfig();

await runService({
  name: 'asset',
  config,
  defaultOpsPort: 9104,
  drainMs: drainMs(),
  async build({ mongo, publisher }) {
    const store = await openAssetStore(mongo, { newId: ulid });
    const handler = createAssetHandler({
      store,
      publish: (input) => publisher.publish(input),
      clock: () => new Date(),
      newId: ulid,
    });
    return { consumers: [consume({ type: 'JOB_COMPLETED', handler })] };
  },
});
