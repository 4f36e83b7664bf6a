import { runService } from '@pixsim/kit';
import { readConfig } from './config.js';
import { buildPoller } from './poller.js';
import { drainMs } from './drain.js';

const config = readConfig();

await runService({
  name: 'poller',
  config,
  defaultOpsPort: 9103,
  drainMs: drainMs(config),
  async build(ctx) {
    const poller = await buildPoller(ctx);
    return { consumers: poller.consumers, start: poller.start, quiesce: poller.quiesce, stop: poller.stop };
  },
});
