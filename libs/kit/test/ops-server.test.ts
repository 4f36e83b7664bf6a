import { afterEach, describe, it, expect } from 'vitest';
import Fastify from 'fastify';
import { createMetricsRegistry, createOpsServer, mountOpsRoutes, type OpsServer } from '../src/index.js';
import { memoryLogger } from './helpers.js';

const servers: OpsServer[] = [];
function ops(
  readiness: Record<string, () => Promise<unknown>>,
  extra: { readyTimeoutMs?: number; advisory?: Record<string, () => Promise<unknown>>; draining?: AbortSignal } = {},
) {
  const { logger, records } = memoryLogger('ops-test');
  const server = createOpsServer({ logger, port: 0, host: '127.0.0.1', readiness, ...extra });
  servers.push(server);
  return { server, records };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('ops server', () => {
  it('when /health is asked over the network, then it answers 200 ok', async () => {
    const { server } = ops({});
    const url = await server.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when every check resolves, then /ready answers 200 with each check ok', async () => {
    const { server } = ops({ redis: async () => 'PONG', mongodb: async () => undefined });
    const res = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { redis: 'ok', mongodb: 'ok' }, pid: process.pid });
  });

  it("when a check fails, then /ready answers 503 DEPENDENCY_DOWN naming it, with Retry-After, and never the driver's text", async () => {
    const { server, records } = ops({
      redis: async () => 'PONG',
      mongodb: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:27017');
      },
    });
    const res = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    const body = res.json() as { error: { code: string; message: string; details: unknown[] } };
    expect(body.error.code).toBe('DEPENDENCY_DOWN');
    expect(body.error.message).toBe('mongodb is down');
    expect(body.error.details).toEqual([{ dependency: 'mongodb', status: 'down' }]);
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(res.body).not.toContain('27017');
    // The transition is logged once (with the reason), not on every probe.
    await server.app.inject({ method: 'GET', url: '/ready' });
    const logged = records().filter((r) => String(r.msg).startsWith('not ready'));
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('connect ECONNREFUSED 127.0.0.1:27017');
  });

  it('when a check hangs, then /ready gives up after the timeout and answers 503', async () => {
    const { server } = ops({ nats: () => new Promise(() => {}) }, { readyTimeoutMs: 150 });
    const started = Date.now();
    const res = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      error: { code: 'DEPENDENCY_DOWN', message: 'nats is not answering' },
    });
  });

  it('when an advisory dependency fails, then /ready still answers 200, reports it degraded, and names it', async () => {
    const { server } = ops(
      {},
      {
        advisory: {
          redis: async () => {
            throw new Error('connect ECONNREFUSED 10.0.0.7:6379');
          },
          mongodb: async () => 'ok',
        },
      },
    );
    const res = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'degraded', checks: { redis: 'down', mongodb: 'ok' }, pid: process.pid });
  });

  it('when shutdown has started, then /ready answers 503 DRAINING though every check passes', async () => {
    const draining = new AbortController();
    const { server } = ops({ redis: async () => 'PONG' }, { draining: draining.signal });
    expect((await server.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    draining.abort('SIGTERM');
    const res = await server.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ error: { code: 'DRAINING' } });
  });

  it('when only /health is asked for (a public port), then /ready and /metrics are not served there', async () => {
    const app = Fastify();
    mountOpsRoutes(app, { readiness: {}, paths: ['/health'] });
    const [health, ready, metrics] = await Promise.all(
      ['/health', '/ready', '/metrics'].map((url) => app.inject({ method: 'GET', url })),
    );
    expect([health?.statusCode, ready?.statusCode, metrics?.statusCode]).toEqual([200, 404, 404]);
    await app.close();
  });

  it('when /metrics is scraped, then it returns Prometheus text with default metrics and the service label', async () => {
    const { server } = ops({});
    const res = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(res.body).toMatch(/process_cpu_user_seconds_total\{service="ops-test"\} \d/);
  });

  it('when routes are mounted on an existing app with a given registry, then that registry is served', async () => {
    const app = Fastify();
    const registry = createMetricsRegistry('gateway', { defaultMetrics: false });
    const { Counter } = await import('prom-client');
    new Counter({ name: 'jobs_total', help: 'jobs', registers: [registry] }).inc(3);
    mountOpsRoutes(app, { readiness: { redis: async () => 'PONG' }, registry });
    const [health, ready, metrics] = await Promise.all(
      ['/health', '/ready', '/metrics'].map((url) => app.inject({ method: 'GET', url })),
    );
    expect(health?.statusCode).toBe(200);
    expect(ready?.json()).toEqual({ status: 'ready', checks: { redis: 'ok' }, pid: process.pid });
    expect(metrics?.body).toContain('jobs_total{service="gateway"} 3');
    await app.close();
  });
});
