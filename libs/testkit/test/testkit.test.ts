import { createLogger, createRedis } from '@pixsim/kit';
import { describe, expect, it } from 'vitest';
import { deleteKeys, openTestDb, REDIS_URL, uniqueName, waitFor } from '../src/index.js';

describe('testkit', () => {
  it('when a test database is dropped, then it no longer lists', async () => {
    const db = await openTestDb('testkit');
    await db.conn.collection('x').insertOne({ a: 1 });
    const name = db.conn.name;
    const admin = await openTestDb('testkit-admin');
    try {
      await db.drop();
      const { databases } = await admin.conn.db!.admin().listDatabases();
      expect(databases.map((d) => d.name)).not.toContain(name);
    } finally {
      await admin.drop();
    }
  });

  it("when keys are deleted by prefix, then only that prefix's keys go", async () => {
    const redis = createRedis(REDIS_URL, {
      name: 'testkit',
      logger: createLogger({ service: 'asset', level: 'silent' }),
    });
    const [mine, other] = [uniqueName('t'), uniqueName('t')];
    try {
      await redis.set(`${mine}:a`, '1');
      await redis.set(`{${mine}:a}:dlq`, '1');
      await redis.set(`${other}:a`, '1');
      await deleteKeys(redis, mine);
      expect(await redis.exists(`${mine}:a`, `{${mine}:a}:dlq`, `${other}:a`)).toBe(1);
    } finally {
      await deleteKeys(redis, other);
      redis.disconnect();
    }
  });

  it('when the condition never holds, then waitFor rejects naming it; when it comes to hold, it resolves', async () => {
    await expect(waitFor(() => false, { timeoutMs: 50, what: 'the moon' })).rejects.toThrow(/the moon/);
    let n = 0;
    await waitFor(() => ++n === 3, { intervalMs: 1 });
    expect(n).toBe(3);
    expect(await waitFor(async () => (++n === 5 ? { n } : undefined), { intervalMs: 1 })).toEqual({ n: 5 });
  });
});
