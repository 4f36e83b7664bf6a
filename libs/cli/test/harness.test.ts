import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startTestSystem } from '../../../test/harness/system.js';

const fixture = fileURLToPath(new URL('./fixtures/fixture-service.ts', import.meta.url));

describe('whole-system test harness', () => {
  it('when started with stand-in services, then the simulator helpers work and stop() removes the prefix keys', async () => {
    const sys = await startTestSystem({
      services: ['poller'],
      entry: () => fixture,
      nodeImports: ['tsx'],
      seedAccount: false,
      simulator: { accounts: [{ apiKey: 'key-a', credits: 100, maxConcurrent: 1 }] },
    });
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      expect(sys.prefix).toMatch(/^t-[0-9a-f]{8}$/);
      const env = (await (await fetch(`http://127.0.0.1:${sys.ports.poller}/env`)).json()) as Record<string, string>;
      expect(env).toMatchObject({
        STREAM_PREFIX: sys.prefix,
        MONGODB_DB: `${sys.prefix}-poller`,
        POLL_INTERVAL_S: '1',
        MONGODB_URI: process.env.MONGODB_URI,
      });
      await sys.addSimAccount({ apiKey: 'key-b', credits: 7, maxConcurrent: 2 });
      expect(Object.values((await sys.simStats()).credits).sort((a, b) => a - b)).toEqual([7, 100]);
      expect((await sys.setFaults({ highLoadRate: 0.5 })).highLoadRate).toBe(0.5);
      await redis.set(`${sys.prefix}:leftover`, '1');
    } finally {
      await sys.stop();
    }
    expect(await redis.exists(`${sys.prefix}:leftover`)).toBe(0);
    redis.disconnect();
  });
});
