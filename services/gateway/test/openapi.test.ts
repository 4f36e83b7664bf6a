import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLazyDocs } from '../src/http/docs.js';
import { createHarness, type Harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

/** Routes that are not part of the API: probes, the docs themselves and the console page. */
const UNDOCUMENTED = /^\/(health|ready|metrics|docs|console)(\/|$)/;

describe('OpenAPI', () => {
  it('when /docs/json is fetched, then every registered API route is in it with its method', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const api = h.app.routeTable.filter((r) => r.method !== 'HEAD' && !UNDOCUMENTED.test(r.url));
    expect(api.length).toBeGreaterThanOrEqual(20);
    const missing = api.filter((r) => !doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]);
    expect(missing).toEqual([]);
  });

  it('when a route validates a body with zod, then the document carries that schema (one source of truth)', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const post = doc.paths['/api/v1/jobs'].post;
    expect(post.requestBody.content['application/json'].schema.properties.operation_type.enum).toContain(
      'text_to_video',
    );
    expect(post.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key');
    expect(doc.paths['/api/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/v1/jobs'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['status', 'limit', 'cursor']),
    );
  });

  it('when /docs is opened in a browser, then the UI answers without a token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });

  it('when /docs is probed with dot segments, then nothing outside its assets is served', async () => {
    for (const url of [
      '/docs/static/../../package.json',
      '/docs/static/%2e%2e/%2e%2e/package.json',
      '/docs/static/..%2f..%2fpackage.json',
    ]) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('"dependencies"');
    }
  });

  it('when the docs are served, then @fastify/static is past its known high advisories (>= 10.1.3)', () => {
    // `npm audit` needs the registry's advisory endpoint; this holds even where it is not served.
    const require = createRequire(createRequire(import.meta.url).resolve('@fastify/swagger-ui'));
    const { version } = require('@fastify/static/package.json') as { version: string };
    const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
    expect(major * 1e6 + minor * 1e3 + patch, version).toBeGreaterThanOrEqual(10_001_003);
  });
});

describe('/docs loads lazily', () => {
  it('when the app starts, then the docs are not built; the first /docs request builds them, once', async () => {
    const app = Fastify({ logger: false });
    let loads = 0;
    installLazyDocs(app, async () => {
      loads++;
      return import('../src/http/docs-app.js');
    });
    app.get('/api/v1/things', { schema: { summary: 'things', tags: ['things'] } }, async () => []);
    await app.ready();
    expect(loads).toBe(0);
    const first = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(first.statusCode).toBe(200);
    expect(first.json().paths['/api/v1/things'].get.operationId).toBe('listThings');
    expect((await app.inject({ method: 'GET', url: '/docs/' })).headers['content-type']).toContain('text/html');
    expect(loads).toBe(1);
    await app.close();
  });
});
