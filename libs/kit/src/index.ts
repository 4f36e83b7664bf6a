export { ConfigError, DependencyUnreachableError, DependencyRejectedError } from './errors.js';

export { loadConfig, exitOnConfigError, EX_CONFIG } from './config.js';
export type { Env } from './config.js';
export {
  sharedConfigShape,
  intFromEnv,
  portFromEnv,
  boolFromEnv,
  clusterNodesFromEnv,
  DAY_MS,
  jobRetentionShape,
  retentionDaysFromEnv,
} from './config-fields.js';
export type { LogLevel, SharedConfig } from './config-fields.js';

export { createLogger, REDACTED } from './logger.js';
export type { Logger } from './logger.js';
export { redactUrl, SECRET_KEYS } from './secrets.js';

export { startTelemetry, shutdownTelemetry } from './telemetry.js';
export type { Telemetry, TelemetryOptions } from './telemetry.js';
export {
  defaultInstrumentations,
  librariesOf,
  SERVICE_LIBRARIES,
  TRACED_LIBRARIES,
  type TracedLibrary,
} from './telemetry-instrumentations.js';
export { RedactingSpanProcessor, redactUrl as redactSpanUrl, redisStatement } from './telemetry-redact.js';
export { startTelemetryFromEnv, telemetryOptionsFromEnv } from './telemetry-env.js';
export { getTracer, activeTraceIds, untracedContext } from './tracing.js';
export type { TraceIds } from './tracing.js';

export { createMetricsRegistry, Registry } from './metrics.js';
export { createOpsServer } from './ops-server.js';
export type { OpsServer, OpsServerOptions } from './ops-server.js';
export { mountOpsRoutes, OPS_PATHS, RETRY_AFTER_S } from './ops-routes.js';
export type { OpsRoutesOptions, AnyFastifyInstance, OpsPath } from './ops-routes.js';
export { runReadiness, describeFailures, publicFailures, DEFAULT_READY_TIMEOUT_MS } from './readiness.js';
export type { ReadinessCheck, ReadinessChecks, ReadinessFailure, ReadinessReport } from './readiness.js';

export { closeMongo, connectMongo, mongoPing } from './mongo.js';

export { createRedis, redisPing, parseNode } from './redis.js';
export type { CreateRedisOptions, RedisConnection, RedisTarget } from './redis.js';
export { connectNats, natsPing } from './nats.js';
export type { ConnectNatsOptions } from './nats.js';

export { backoffDelay, sleep } from './backoff.js';
export { createIdFactory, pooledRandom } from './ids.js';
export { every } from './periodic.js';
export type { Timer } from './periodic.js';
export type { BackoffOptions } from './backoff.js';

export { onShutdown, drainBudgetMs, graceSeconds, DEFAULT_DRAIN_MS } from './shutdown.js';
export type { ShutdownOptions, ShutdownContext, ShutdownHandle, DrainBudget } from './shutdown.js';

export { runService, consume, checkConsumers, isEntryPoint } from './service.js';
export { leaseOwner, replicaName } from './replica.js';
export type { ServiceContext, ServiceParts, ServiceSpec, ConsumerSpec } from './service.js';
export { createBusMetrics } from './bus-metrics.js';
