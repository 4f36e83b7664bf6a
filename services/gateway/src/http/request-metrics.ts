import { Histogram, type Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';

/**
 * HTTP request durations by method, route pattern (never the raw URL: ids would
 * explode the label set) and status code.
 */
export function installRequestMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'pixsim_http_request_duration_seconds',
    help: 'Gateway HTTP request durations',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
