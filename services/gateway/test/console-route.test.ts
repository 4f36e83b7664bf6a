import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stubGatewayApp } from '../../../apps/console/scripts/openapi-document.js';

describe('GET /console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'secret.txt'), 'not for the web');
  const app = stubGatewayApp({ consoleDir: dir });
  const missing = stubGatewayApp({ consoleDir: join(dir, 'nope') });
  afterAll(async () => {
    await Promise.all([app.close(), missing.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the page or one of its routes is asked for, then index.html answers, uncached, under a strict CSP', async () => {
    for (const url of ['/console', '/console/', '/console/jobs/123']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>console</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
    }
  });

  it('when a hashed asset is asked for, then it is JavaScript cached for good; an unknown one is a 404', async () => {
    const js = await app.inject({ method: 'GET', url: '/console/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/console/assets/nope.js' })).statusCode).toBe(404);
  });

  it('when a path climbs out of the build directory, then nothing outside it is served', async () => {
    for (const url of [
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/..%2f..%2fsecret.txt',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('not for the web');
    }
  });

  it('when the console is not built, then it says how to build it (503)', async () => {
    const res = await missing.inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm start');
  });
});
