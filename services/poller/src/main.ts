import { runService } from '@pixsim/kit';
import { readConfig } from './config.js';
import { buildPoller } from './poller.js';

const config = readConfig();

await runService({
  name: 'poller',
  config,
  defaultOpsPort: 9103,
  async build(ctx) {
    const poller = await buildPoller(ctx);
    return { consumers: poller.consumers, start: poller.start, quiesce: poller.quiesce, stop: poller.stop };
  },
});
