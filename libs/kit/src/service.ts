import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'mongoose';
import type { NatsConnection } from 'nats';
import { createConsumer, createPublisher, type Consumer, type EventHandler, type Publisher } from '@pixsim/bus';
import {
  CONSUMERS,
  createKeys,
  PixsimError,
  streamsConsumedBy,
  type EventType,
  type Keys,
  type ServiceName,
} from '@pixsim/contracts';
import { createBusMetrics } from './bus-metrics.js';
import type { SharedConfig } from './config-fields.js';
import { createLogger, type Logger } from './logger.js';
import { createMetricsRegistry, type Registry } from './metrics.js';
import { autoIndexDefault, closeMongo, connectMongo, mongoPing } from './mongo.js';
import { connectNats, natsPing } from './nats.js';
import { createOpsServer } from './ops-server.js';
import type { ReadinessChecks } from './readiness.js';
import { createRedis, redisPing, type RedisConnection } from './redis.js';
import { replicaName } from './replica.js';
import { onShutdown } from './shutdown.js';
import { shutdownTelemetry } from './telemetry.js';

/** What a service's composition root gets to build its handlers from. */
export interface ServiceContext<C> {
  config: C;
  logger: Logger;
  /** One Redis or a Redis Cluster (REDIS_CLUSTER_NODES). */
  redis: RedisConnection;
  mongo: Connection;
  nats: NatsConnection | null;
  keys: Keys;
  publisher: Publisher;
  registry: Registry;
  /** Aborted when shutdown starts. */
  signal: AbortSignal;
}

export interface ConsumerSpec<T extends EventType = EventType> {
  type: T;
  handler: EventHandler<T>;
  /** MAX_JOBS by default. */
  concurrency?: number;
  claimTimeoutMs?: number;
}

/** A consumer spec with its event type checked against its handler. */
export const consume = <T extends EventType>(spec: ConsumerSpec<T>): ConsumerSpec => spec as unknown as ConsumerSpec;

export interface ServiceParts {
  consumers: ConsumerSpec[];
  readiness?: ReadinessChecks;
  /** Runs after the consumers started (timers, HTTP servers). */
  start?(consumers: ReadonlyMap<EventType, Consumer>): Promise<void>;
  /**
   * Shutdown, first step: stop taking new work (HTTP requests, timers, loops) and let
   * what is under way finish. Runs while the consumers stop reading, before they drain.
   */
  quiesce?(): Promise<void>;
  /** Shutdown, last step: close what the handlers used (clients, flushes), once the consumers have drained. */
  stop?(): Promise<void>;
  /** The gateway serves /health, /ready, /metrics itself; workers get a side server. */
  serveOps?: false;
}

export interface ServiceSpec<C extends SharedConfig> {
  name: ServiceName;
  config: C;
  nats?: boolean;
  /** Default port of the side server when OPS_PORT is unset. */
  defaultOpsPort: number;
  /** How long shutdown may take (the service's drainMs(config)); its pods' grace period must exceed it. */
  drainMs?: number;
  build(ctx: ServiceContext<C>): Promise<ServiceParts>;
}

/**
 * Whether the module at `moduleUrl` is the process's entry point (`node src/main.ts`), so a
 * composition root can also export its wiring to tests without starting the service there.
 */
export function isEntryPoint(moduleUrl: string, argv1: string | undefined = process.argv[1]): boolean {
  if (!argv1) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(argv1);
  } catch {
    return false;
  }
}

/**
 * The service's consumers against the topology table (CONSUMERS in contracts): a stream the
 * table says the service reads and it does not (its events would pile up unread), or one it
 * reads that the table does not list (no one sizes or watches that group), is a start error.
 */
export function checkConsumers(service: ServiceName, types: readonly EventType[]): void {
  const expected = new Set(streamsConsumedBy(service));
  const actual = new Set(types);
  const missing = [...expected].filter((t) => !actual.has(t));
  const extra = [...actual].filter((t) => !expected.has(t));
  const twice = types.filter((t, i) => types.indexOf(t) !== i);
  if (missing.length === 0 && extra.length === 0 && twice.length === 0) return;
  const parts = [
    missing.length ? `does not consume ${missing.join(', ')}` : '',
    extra.length
      ? `consumes ${extra.join(', ')} (CONSUMERS lists ${extra.map((t) => CONSUMERS[t].join('/')).join('; ')})`
      : '',
    twice.length ? `consumes ${twice.join(', ')} twice` : '',
  ].filter(Boolean);
  throw new PixsimError('CONSUMERS_MISMATCH', `${service} ${parts.join('; ')}: its consumers must match CONSUMERS`);
}

/**
 * The one way a service runs: connect, build the handlers from
 * narrow ports, start the consumers and the ops server, and on SIGTERM stop
 * reading, let in-flight work finish and ack, then close every connection.
 */
export async function runService<C extends SharedConfig>(spec: ServiceSpec<C>): Promise<void> {
  const { config, name } = spec;
  const logger = createLogger({ service: name, level: config.LOG_LEVEL });
  const consumers = new Map<EventType, Consumer>();
  let parts: ServiceParts | undefined;
  let closeOps: (() => Promise<void>) | undefined;
  let redis: RedisConnection | undefined;
  let mongo: Connection | undefined;
  let nats: NatsConnection | null = null;

  const shutdown = onShutdown({ logger, delayMs: spec.drainMs }, async () => {
    // Take no new work, let what is under way finish and ack, and only then close what it
    // uses: a handler still running must never find its provider client already closed.
    for (const consumer of consumers.values()) consumer.pause();
    await parts?.quiesce?.();
    await Promise.all([...consumers.values()].map((c) => c.stop()));
    await parts?.stop?.();
    await closeOps?.();
    await nats?.drain().catch(() => {});
    if (mongo) await closeMongo(mongo).catch(() => {});
    redis?.disconnect();
    // Last: the spans of the drain itself are flushed too (bounded; never rejects).
    await shutdownTelemetry();
  });
  const signal = shutdown.signal;

  redis = createRedis(config, { name, logger });
  mongo = await connectMongo({
    uri: config.MONGODB_URI,
    dbName: config.MONGODB_DB ?? `pixsim-${name}`,
    logger,
    attempts: Infinity,
    signal,
    autoIndex: autoIndexDefault(config),
    writeConcern: config.MONGODB_WRITE_CONCERN,
  });
  if (spec.nats) nats = await connectNats(config.NATS_URL, { name, logger, attempts: Infinity, signal });
  const keys = createKeys(config.STREAM_PREFIX, { partitions: config.STREAM_PARTITIONS });
  const registry = createMetricsRegistry(name);
  const publisher = createPublisher({ redis, keys, maxLen: config.STREAM_MAX_LEN });
  parts = await spec.build({ config, logger, redis, mongo, nats, keys, publisher, registry, signal });
  checkConsumers(
    name,
    parts.consumers.map((c) => c.type),
  );

  const hooks = createBusMetrics(registry, {
    redis,
    keys,
    types: parts.consumers.map((c) => c.type),
    group: name,
    maxLen: config.STREAM_MAX_LEN,
  });
  const consumerName = replicaName(config);
  for (const c of parts.consumers) {
    consumers.set(
      c.type,
      createConsumer({
        redis,
        keys,
        type: c.type,
        group: name,
        consumer: consumerName,
        handler: c.handler,
        concurrency: c.concurrency ?? config.MAX_JOBS,
        claimTimeoutMs: c.claimTimeoutMs ?? config.CLAIM_TIMEOUT_MS ?? 60_000,
        logger: logger.child({ component: 'consumer', stream: c.type }),
        hooks,
      }),
    );
  }

  const readiness: ReadinessChecks = {
    redis: () => redisPing(redis!),
    mongodb: () => mongoPing(mongo!),
    ...(nats ? { nats: () => natsPing(nats!) } : {}),
    ...parts.readiness,
  };
  if (parts.serveOps !== false) {
    const ops = createOpsServer({
      logger,
      port: config.OPS_PORT ?? spec.defaultOpsPort,
      host: config.OPS_HOST,
      readiness,
      draining: signal,
      registry,
      service: name,
    });
    const url = await ops.listen();
    closeOps = () => ops.close();
    logger.info({ url }, 'ops endpoints: /health /ready /metrics');
  }
  for (const consumer of consumers.values()) await consumer.start();
  await parts.start?.(consumers);
  logger.info({ consumer: consumerName, streams: [...consumers.keys()] }, `${name} started`);
}
