import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { mountOpsRoutes, type AnyFastifyInstance } from './ops-routes.js';
import type { ReadinessChecks } from './readiness.js';

export interface OpsServerOptions {
  logger: Logger;
  port: number;
  /** 0.0.0.0 by default: Kubernetes probes and Prometheus come from outside the pod. */
  host?: string;
  readiness: ReadinessChecks;
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

/** A small side server for workers: /health, /ready, /metrics and nothing else. */
export function createOpsServer(opts: OpsServerOptions): OpsServer {
  const logger = opts.logger.child({ component: 'ops-server' });
  // Probe routes log at warn (see mountOpsRoutes), so probes every few seconds stay quiet.
  const app = Fastify({ loggerInstance: logger });
  const registry = mountOpsRoutes(app, {
    readiness: opts.readiness,
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
