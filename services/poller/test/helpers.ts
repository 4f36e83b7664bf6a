import { generateSealingKeyPair, parsePublicKey, sealCredential } from '@pixsim/credentials';
import type { Connection } from 'mongoose';
import { deleteKeys, mongoUri, openTestDb, REDIS_URL, uniqueName } from '@pixsim/testkit';
import { createPublisher, createConsumer, type Consumer } from '@pixsim/bus';
import {
  createKeys,
  eventIds,
  parseEnvelope,
  type EventData,
  type EventType,
  type Envelope,
  type SealedSecret,
} from '@pixsim/contracts';
import { createLogger, createMetricsRegistry, createRedis, loadConfig, type LogLevel } from '@pixsim/kit';
import type { PublishInput } from '@pixsim/bus';
import { configSchema, type Config } from '../src/config.js';
import type { Poller } from '../src/main.js';

export { mongoUri, REDIS_URL };
const KEY_PAIR = generateSealingKeyPair('k1');
/** PIXSIM_SEALING_PRIVATE_KEYS of the poller under test. */
export const PRIVATE_KEYS = KEY_PAIR.privateKey;
/** Seals an API key as the gateway would, to the poller's public key, for the account jobSubmitted() uses by default. */
export const sealForPoller = (apiKey: string, accountId = 'acct-1') =>
  sealCredential(parsePublicKey(KEY_PAIR.publicKey), accountId, apiKey);

export async function openDb(dbName: string): Promise<Connection> {
  return (await openTestDb('poller', { dbName })).conn;
}

/** A unique stream prefix and database; `cleanup` deletes the keys and drops the database. */
export async function testEnv(env: Record<string, string> = {}) {
  const prefix = uniqueName('t');
  const dbName = uniqueName('poller_test');
  const keys = createKeys(prefix);
  const logger = createLogger({ service: 'poller', level: (process.env.TEST_LOG_LEVEL ?? 'silent') as LogLevel });
  const redis = createRedis(REDIS_URL, { name: 'poller-test', logger });
  const connections: Connection[] = [await openDb(dbName)];
  const config: Config = loadConfig(configSchema, {
    MONGODB_URI: mongoUri(),
    REDIS_URL,
    STREAM_PREFIX: prefix,
    PIXSIM_SEALING_PRIVATE_KEYS: PRIVATE_KEYS,
    POLL_INTERVAL_S: '1',
    POLL_TICK_MS: '50',
    FIRST_POLL_DELAY_MS: '0',
    ...env,
  });
  const publisher = createPublisher({ redis, keys });
  const consumers: Consumer[] = [];
  const pollers: Poller[] = [];

  /** Another replica's context: its own Mongo connection to the same database. */
  let replicas = 0;
  const replica = async () => {
    const mongo = replicas++ === 0 ? connections[0]! : await openDb(dbName);
    if (!connections.includes(mongo)) connections.push(mongo);
    return { config, mongo, publisher, logger, registry: createMetricsRegistry('poller', { defaultMetrics: false }) };
  };

  /** Runs the poller's consumers as runService would, on the test's streams. */
  const startConsumers = async (poller: Poller, name = `c-${consumers.length}`) => {
    pollers.push(poller);
    for (const spec of poller.consumers) {
      const c = createConsumer({
        redis,
        keys,
        type: spec.type,
        group: 'poller',
        consumer: name,
        handler: spec.handler,
        concurrency: 10,
        blockMs: 100,
      });
      await c.start();
      consumers.push(c);
    }
  };

  const events = async <T extends EventType>(type: T): Promise<Array<Envelope<EventData<T>>>> => {
    const entries = await redis.xrange(keys.stream(type), '-', '+');
    return entries.map(([, fields]) => parseEnvelope(fields) as Envelope<EventData<T>>);
  };

  const cleanup = async () => {
    for (const p of pollers) await p.stop();
    for (const c of consumers) await c.stop();
    await connections[0]!.dropDatabase().catch(() => {});
    for (const c of connections) await c.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  };

  return {
    prefix,
    keys,
    redis,
    config,
    publisher,
    replica,
    startConsumers,
    events,
    cleanup,
    db: () => connections[0]!,
  };
}

export function jobSubmitted(
  jobId: string,
  over: Partial<EventData<'JOB_SUBMITTED'>> & { credential: SealedSecret },
): PublishInput<'JOB_SUBMITTED'> {
  const attempt = over.attempt ?? 1;
  return {
    type: 'JOB_SUBMITTED',
    id: eventIds.jobSubmitted(jobId, attempt),
    data: {
      job_id: jobId,
      user_id: 'user-1',
      attempt,
      provider_id: 'pixverse',
      provider_job_id: `pv-${jobId}`,
      account_id: 'acct-1',
      cost: 45,
      duration_sec: 5,
      submitted_at: new Date().toISOString(),
      ...over,
    },
  };
}
