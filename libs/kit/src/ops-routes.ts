import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createMetricsRegistry } from './metrics.js';
import { publicFailures, runReadiness, type ReadinessChecks } from './readiness.js';

/** Probe and scrape paths: kept out of traces and request logs. */
export const OPS_PATHS: ReadonlySet<string> = new Set(['/health', '/ready', '/metrics']);
export type OpsPath = '/health' | '/ready' | '/metrics';

export const RETRY_AFTER_S = 5;

export interface OpsRoutesOptions {
  /** Must all pass for 200: what this process needs to do its work at all. */
  readiness: ReadinessChecks;
  /**
   * Run and reported (`checks`), never a 503: shared dependencies whose outage would make
   * every replica NotReady at once (the gateway's Redis, MongoDB, NATS). Their outage
   * shows in the answers the service gives and in alerts instead.
   */
  advisory?: ReadinessChecks;
  /** Once aborted (shutdown started), /ready answers 503 DRAINING: endpoints drop this pod first. */
  draining?: AbortSignal;
  /** Which of the three paths to serve (all by default). */
  paths?: readonly OpsPath[];
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
 * Puts GET /health, /ready and /metrics (or the `paths` asked for) on a fastify instance.
 * Register them before any auth hook that would refuse an anonymous probe. Returns the
 * registry in use.
 *
 * /ready never echoes a driver's error text (it can carry hosts, users, topology): the
 * answer names the dependency and its state, and the reason goes to the log.
 */
export function mountOpsRoutes(app: AnyFastifyInstance, opts: OpsRoutesOptions): Registry {
  const logger = opts.logger;
  const registry = opts.registry ?? createMetricsRegistry(opts.service ?? serviceOf(logger) ?? 'unknown');
  const paths = new Set<OpsPath>(opts.paths ?? ['/health', '/ready', '/metrics']);
  const failing = new Set<string>();
  const quiet = { logLevel: 'warn' as const };

  if (paths.has('/health')) app.get('/health', quiet, async () => ({ status: 'ok' }));

  if (paths.has('/ready'))
    app.get('/ready', quiet, async (_req, reply) => {
      if (opts.draining?.aborted) {
        return reply
          .code(503)
          .header('retry-after', String(RETRY_AFTER_S))
          .send({
            error: { code: 'DRAINING', message: 'shutting down: finishing work under way, taking no new work' },
          });
      }
      const [report, advisory] = await Promise.all([
        runReadiness(opts.readiness, opts.readyTimeoutMs),
        runReadiness(opts.advisory ?? {}, opts.readyTimeoutMs),
      ]);
      const all = [...report.failures, ...advisory.failures];
      logTransitions(
        logger,
        failing,
        all.map((f) => f.dependency),
        all,
      );
      const checks = { ...report.checks, ...advisory.checks };
      // The pid lets a supervisor tell its own child from another process that holds the port.
      if (report.ready) return { status: advisory.ready ? 'ready' : 'degraded', checks, pid: process.pid };
      const failures = publicFailures(report.failures);
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_S))
        .send({
          error: {
            code: 'DEPENDENCY_DOWN',
            message: failures
              .map((f) => `${f.dependency} is ${f.status === 'timeout' ? 'not answering' : 'down'}`)
              .join('; '),
            details: failures,
          },
        });
    });

  if (paths.has('/metrics'))
    app.get('/metrics', quiet, async (_req, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });

  return registry;
}

/** Log a dependency when it goes down (with the driver's reason) and when it comes back, not on every probe. */
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
