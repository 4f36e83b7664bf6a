import { describe, it, expect } from 'vitest';
import { connectNats, createRedis, DependencyUnreachableError, natsPing, redisPing } from '../src/index.js';
import { freePort, REDIS_URL, waitFor } from '@pixsim/testkit';
import { memoryLogger } from './helpers.js';

const NATS_URL = 'nats://127.0.0.1:4222';

describe('createRedis', () => {
  it('when connected, then redisPing resolves and the server knows the client by name', async () => {
    const { logger } = memoryLogger();
    const redis = createRedis(REDIS_URL, { name: 'kit-test:plain', logger });
    try {
      await waitFor(() => redis.status === 'ready');
      await expect(redisPing(redis)).resolves.toBeUndefined();
      expect(await redis.client('GETNAME')).toBe('kit-test:plain');
      expect(redis.options.maxRetriesPerRequest).toBe(20);
      // Commands of one tick share a write: 50 concurrent commands, one pipeline.
      const before = redis.autoPipelineQueueSize;
      const answers = Promise.all(Array.from({ length: 50 }, () => redis.ping()));
      expect(redis.autoPipelineQueueSize - before).toBe(50);
      expect(await answers).toHaveLength(50);
    } finally {
      redis.disconnect();
    }
  });

  it('when the client is for blocking reads, then its commands wait through reconnects', () => {
    const { logger } = memoryLogger();
    const redis = createRedis(REDIS_URL, { name: 'kit-test:reader', logger, blocking: true });
    expect(redis.options.maxRetriesPerRequest).toBeNull();
    expect(redis.options.enableAutoPipelining).toBe(false); // a BLOCK would hold up the rest of its pipeline
    redis.disconnect();
  });

  it('when the server is unreachable, then the episode is logged once however many retries fail', async () => {
    const { logger, records } = memoryLogger();
    const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, { name: 'kit-test:down', logger });
    try {
      let errors = 0;
      redis.on('error', () => errors++);
      await waitFor(() => errors >= 4);
      expect(records().filter((r) => r.level === 40)).toHaveLength(1);
      await expect(redisPing(redis)).rejects.toThrow(/connection is/);
    } finally {
      redis.disconnect();
    }
  });

  it('when the server drops the connection, then one line says lost and one says restored', async () => {
    const { logger, records } = memoryLogger();
    const redis = createRedis(REDIS_URL, { name: 'kit-test:killed', logger });
    const admin = createRedis(REDIS_URL, { name: 'kit-test:admin', logger: memoryLogger().logger });
    try {
      await waitFor(() => redis.status === 'ready');
      const id = await redis.client('ID');
      await admin.client('KILL', 'ID', String(id));
      await waitFor(() => records().some((r) => String(r.msg).includes('restored')));
      await redisPing(redis);
      const lines = records().map((r) => String(r.msg));
      expect(lines.filter((m) => m.includes('lost'))).toHaveLength(1);
      expect(lines.filter((m) => m.includes('restored'))).toHaveLength(1);
    } finally {
      redis.disconnect();
      admin.disconnect();
    }
  });
});

describe('connectNats', () => {
  it('when NATS is up, then it connects and natsPing resolves', async () => {
    const { logger } = memoryLogger();
    const nc = await connectNats(NATS_URL, { name: 'kit-test', logger });
    try {
      await expect(natsPing(nc)).resolves.toBeUndefined();
      expect(nc.info?.client_id).toBeDefined();
    } finally {
      await nc.close();
    }
    await expect(natsPing(nc)).rejects.toThrow(/closed/);
  });

  it('when nothing listens, then it gives up after the given attempts with a clear error', async () => {
    const { logger } = memoryLogger();
    const port = await freePort();
    const err = await connectNats(`nats://127.0.0.1:${port}`, {
      name: 'kit-test',
      logger,
      attempts: 2,
      backoff: { initialMs: 10, maxMs: 10 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnreachableError);
    expect((err as Error).message).toContain(`nats at nats://127.0.0.1:${port} is not reachable after 2 attempts`);
    expect((err as Error).message).toContain('nats-server');
  });
});
