import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { mountOpsRoutes, type AnyFastifyInstance, type OpsRoutesOptions } from './ops-routes.js';

/** The routes' options (see mountOpsRoutes), and where to listen. */
export interface OpsServerOptions extends Omit<OpsRoutesOptions, 'logger'> {
  logger: Logger;
  port: number;
  /** 0.0.0.0 by default: Kubernetes probes and Prometheus come from outside the pod. */
  host?: string;
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
  const { port, host, logger: parent, ...routes } = opts;
  const logger = parent.child({ component: 'ops-server' });
  // Probe routes log at warn (see mountOpsRoutes), so probes every few seconds stay quiet.
  const app = Fastify({ loggerInstance: logger });
  const registry = mountOpsRoutes(app, { ...routes, logger });
  return {
    app,
    registry,
    listen: () => app.listen({ port, host: host ?? '0.0.0.0' }),
    close: () => app.close(),
  };
}
