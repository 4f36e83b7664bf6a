import { Redis } from 'ioredis';
import { createKeys, eventIds, type Keys } from '@pixsim/contracts';
import { deleteKeys, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { createConsumer, type ConsumerOptions, type EventHandler, type PublishInput } from '../src/index.js';

/** A Redis client and a prefix no other test uses; `cleanup` deletes its keys. */
export function testBus() {
  const prefix = uniqueName('t');
  const keys: Keys = createKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const cleanup = async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  };
  /**
   * A JOB_CREATED consumer on these streams: group dispatcher, consumer c1, short blocking reads unless
   * `extra` says.
   */
  const consumer = (handler: EventHandler<'JOB_CREATED'>, extra: Partial<ConsumerOptions<'JOB_CREATED'>> = {}) =>
    createConsumer({
      redis,
      keys,
      type: 'JOB_CREATED',
      group: 'dispatcher',
      consumer: 'c1',
      blockMs: 50,
      handler,
      ...extra,
    });
  return { prefix, keys, redis, cleanup, consumer };
}

export function jobCreated(n: number): PublishInput<'JOB_CREATED'> {
  const jobId = `job-${n}`;
  return {
    type: 'JOB_CREATED',
    id: eventIds.jobCreated(jobId),
    data: {
      job_id: jobId,
      user_id: 'user-1',
      operation_type: 'text_to_video',
      provider_id: 'pixverse',
      params: { prompt: `prompt ${n}` },
      priority: 5,
      name: null,
      description: null,
      workspace_id: null,
      scheduled_at: null,
      created_at: new Date().toISOString(),
    },
  };
}

export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}
