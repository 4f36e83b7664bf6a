import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { mountOpsRoutes, type AnyFastifyInstance, type OpsPath } from './ops-routes.js';
import type { ReadinessChecks } from './readiness.js';

export interface OpsServerOptions {
  logger: Logger;
  port: number;
  /** 0.0.0.0 by default: Kubernetes probes and Prometheus come from outside the pod. */
  host?: string;
  readiness: ReadinessChecks;
  /** Reported by /ready, never a 503 (see mountOpsRoutes). */
  advisory?: ReadinessChecks;
  /** Shutdown's signal: /ready answers 503 DRAINING once it is aborted. */
  draining?: AbortSignal;
  paths?: readonly OpsPath[];
  registry?: Registry;
  service?: string;
  readyTimeoutMs?: number;
}

export interface OpsServer {
  app: AnyFastifyInstance;
  registry: Registry;
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:9464`. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** A small side server (every worker; the gateway when OPS_PORT is set): /health, /ready, /metrics and nothing else. */
export function createOpsServer(opts: OpsServerOptions): OpsServer {
  const logger = opts.logger.child({ component: 'ops-server' });
  // Probe routes log at warn (see mountOpsRoutes), so probes every few seconds stay quiet.
  const app = Fastify({ loggerInstance: logger });
  const registry = mountOpsRoutes(app, {
    readiness: opts.readiness,
    advisory: opts.advisory,
    draining: opts.draining,
    paths: opts.paths,
    registry: opts.registry,
    service: opts.service,
    readyTimeoutMs: opts.readyTimeoutMs,
    logger,
  });
  return {
    app,
    registry,
    listen: () => app.listen({ port: opts.port, host: opts.host ?? '0.0.0.0' }),
    close: () => app.close(),
  };
}
