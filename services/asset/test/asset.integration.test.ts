import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteKeys, delivered, openTestDb, REDIS_URL } from '@pixsim/testkit';
import { createIdFactory, createLogger, createRedis } from '@pixsim/kit';
import { createConsumer, createPublisher, type Consumer } from '@pixsim/bus';
import { createKeys, parseEnvelope, type EventData, type Envelope } from '@pixsim/contracts';
import { createAssetHandler } from '../src/handlers/job-completed.js';
import { createPurgedReplayCheck } from '../src/handlers/purged-replay.js';
import { openAssetStore } from '../src/store/asset-store.js';
import { jobCompleted, RETENTION_MS } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const keys = createKeys(prefix);
  const redis = createRedis(REDIS_URL, {
    name: 'asset-test',
    logger: createLogger({ service: 'asset', level: 'silent' }),
  });
  const testDb = await openTestDb('asset-test');
  const db = testDb.conn;
  cleanups.push(async () => {
    await testDb.drop();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const publisher = createPublisher({ redis, keys });
  const store = await openAssetStore(db, { retentionMs: RETENTION_MS });
  const clock = () => new Date();
  const handler = createAssetHandler({
    store,
    publish: (i) => publisher.publish(i),
    clock,
    newId: createIdFactory(),
    isPurgedReplay: createPurgedReplayCheck({ store, retentionMs: RETENTION_MS, clock, onDropped() {} }),
  });
  const created = async (): Promise<Array<Envelope<EventData<'ASSET_CREATED'>>>> =>
    (await redis.xrange(keys.stream('ASSET_CREATED'), '-', '+')).map(
      ([, f]) => parseEnvelope(f) as Envelope<EventData<'ASSET_CREATED'>>,
    );
  return { keys, redis, db, publisher, handler, created };
}

describe('asset service against Redis and MongoDB', () => {
  it('when one JOB_COMPLETED is on the stream three times, then one asset exists and every ASSET_CREATED names it', async () => {
    const t = await setup();
    const consumer: Consumer = createConsumer({
      redis: t.redis,
      keys: t.keys,
      type: 'JOB_COMPLETED',
      group: 'asset',
      consumer: 'a-1',
      handler: t.handler,
      blockMs: 100,
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();
    const event = jobCompleted('job-1');
    for (let i = 0; i < 3; i++) await t.publisher.publish(event);

    await expect.poll(t.created, { timeout: 10_000 }).toHaveLength(3);
    const assets = await t.db.collection('assets').find({}).toArray();
    expect(assets).toHaveLength(1);
    const announced = await t.created();
    expect(new Set(announced.map((e) => e.id))).toEqual(new Set(['job-1:ASSET_CREATED']));
    expect(new Set(announced.map((e) => e.data.asset_id))).toEqual(new Set([assets[0]!.asset_id]));
    expect(announced[0]!.data).toMatchObject({
      job_id: 'job-1',
      user_id: 'user-1',
      media_type: 'video',
      provider_id: 'pixverse',
      provider_asset_id: 'pv-job-1',
      remote_url: 'https://media.example/job-1.mp4',
      width: 1280,
      height: 720,
      duration_sec: 5,
      file_size_bytes: 4096,
    });
    expect(assets[0]!.asset_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/); // a ULID
  });

  it('when the same JOB_COMPLETED is handled concurrently, then exactly one asset is created and all announce its id', async () => {
    const t = await setup();
    const event = delivered(jobCompleted('job-2'));
    await Promise.all(Array.from({ length: 8 }, () => t.handler(event)));
    const assets = await t.db.collection('assets').find({}).toArray();
    expect(assets).toHaveLength(1);
    const announced = await t.created();
    expect(announced).toHaveLength(8);
    expect(new Set(announced.map((e) => `${e.id} ${e.data.asset_id} ${e.data.created_at}`)).size).toBe(1);
    expect(announced[0]!.data.asset_id).toBe(assets[0]!.asset_id);
  });
});
