// Deletes consumer names left behind by pods that are gone (idle, nothing pending) from every
// group of every pixsim stream. Run hourly by the CronJob prune-consumers (k8s/base/backup);
// docs/operations/retention.md.
//
//   prune-consumers.ts [--idle-hours 24] [--dry-run]      (REDIS_URL, STREAM_PREFIX from the environment)
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createKeys, EVENT_TYPES } from '@pixsim/contracts';
import { pruneConsumers } from './backup/prune-consumers.js';

const { values } = parseArgs({
  options: { 'idle-hours': { type: 'string', default: '24' }, 'dry-run': { type: 'boolean', default: false } },
});
const keys = createKeys(process.env.STREAM_PREFIX ?? 'pixsim');
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
try {
  const pruned = await pruneConsumers(redis, {
    streams: EVENT_TYPES.map((t) => keys.stream(t)),
    idleMs: Number(values['idle-hours']) * 3_600_000,
    dryRun: values['dry-run'],
  });
  console.log(JSON.stringify({ msg: values['dry-run'] ? 'would prune' : 'pruned', count: pruned.length, pruned }));
} catch (err) {
  console.error(`prune-consumers: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
