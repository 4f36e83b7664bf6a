import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from './metrics.js';
import { describeFailures, runReadiness, type ReadinessChecks } from './readiness.js';

/** Probe and scrape paths: kept out of traces and request logs. */
export const OPS_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);

export const RETRY_AFTER_S = 5;

export interface OpsRoutesOptions {
  readiness: ReadinessChecks;
  /** Defaults to createMetricsRegistry(service). */
  registry?: Registry;
  /** Service label of the default registry; defaults to the logger's `service` binding. */
  service?: string;
  /** Per-check budget for /ready. */
  readyTimeoutMs?: number;
  logger?: Logger;
}

// Any fastify instance, whatever its logger or type provider.
export type AnyFastifyInstance = FastifyInstance<any, any, any, any, any>;

/**
 * Puts GET /health, /ready and /metrics on an existing fastify instance (the gateway
 * serves them on its main port). Register them before any auth hook that would
 * refuse an anonymous probe. Returns the registry in use.
 */
export function mountOpsRoutes(app: AnyFastifyInstance, opts: OpsRoutesOptions): Registry {
  const logger = opts.logger;
  const registry = opts.registry ?? createMetricsRegistry(opts.service ?? serviceOf(logger) ?? 'unknown');
  const failing = new Set<string>();
  const quiet = { logLevel: 'warn' as const };

  app.get('/health', quiet, async () => ({ status: 'ok' }));

  app.get('/ready', quiet, async (_req, reply) => {
    const report = await runReadiness(opts.readiness, opts.readyTimeoutMs);
    logTransitions(
      logger,
      failing,
      report.failures.map((f) => f.dependency),
      report.failures,
    );
    // The pid lets a supervisor tell its own child from another process that holds the port.
    if (report.ready) return { status: 'ready', checks: report.checks, pid: process.pid };
    return reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_S))
      .send({
        error: {
          code: 'DEPENDENCY_DOWN',
          message: describeFailures(report.failures),
          details: report.failures,
        },
      });
  });

  app.get('/metrics', quiet, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  return registry;
}

/** Log a dependency when it goes down and when it comes back, not on every probe. */
function logTransitions(
  logger: Logger | undefined,
  failing: Set<string>,
  nowFailing: string[],
  failures: unknown[],
): void {
  const down = nowFailing.filter((d) => !failing.has(d));
  const back = [...failing].filter((d) => !nowFailing.includes(d));
  if (down.length) logger?.warn({ failures }, `not ready: ${down.join(', ')} unreachable`);
  if (back.length) logger?.info({ dependencies: back }, `${back.join(', ')} reachable again`);
  failing.clear();
  for (const d of nowFailing) failing.add(d);
}

function serviceOf(logger: Logger | undefined): string | undefined {
  const service: unknown = logger?.bindings().service;
  return typeof service === 'string' ? service : undefined;
}
