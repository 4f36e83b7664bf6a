import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createKeys, eventIds, type Keys } from '@pixsim/contracts';
import type { PublishInput } from '../src/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A Redis client and a prefix no other test uses; `cleanup` deletes its keys. */
export function testBus() {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const keys: Keys = createKeys(prefix);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const cleanup = async () => {
    // Streams are <prefix>:…; their dead letters and publish marks {<prefix>:…}:….
    for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (found.length) await redis.del(...found);
      } while (cursor !== '0');
    }
    redis.disconnect();
  };
  return { prefix, keys, redis, cleanup };
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

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function pendingCount(redis: Redis, stream: string, group: string): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return Number(summary[0]);
}
