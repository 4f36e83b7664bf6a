import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** apps/console/dist beside the services: where `npm start` and the image put the built console. */
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../../apps/console/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * Same origin as the API, nothing remote but the videos (the provider's URLs): the page
 * calls only this gateway, so a token in the page can go nowhere else.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  'media-src * blob: data:',
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The web console: a single-page app built by apps/console into `dir`. Hashed assets are
 * cached for good; any other path under /console answers index.html (the app routes).
 * Hidden from the OpenAPI document: it is a page, not an API.
 */
export function registerConsoleRoutes(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const root = normalize(opts.dir ?? DEFAULT_CONSOLE_DIR);
  const send = async (reply: FastifyReply, rel: string) => {
    const path = normalize(join(root, rel));
    if (path !== root && !path.startsWith(root + sep)) return reply.code(404).send();
    const info = await stat(path).catch(() => null);
    if (info?.isFile()) {
      reply.header('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
      reply.header('cache-control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      reply.header('content-security-policy', CSP);
      reply.header('x-content-type-options', 'nosniff');
      return reply.send(await readFile(path));
    }
    if (rel.startsWith('assets/')) return reply.code(404).send();
    const index = await readFile(join(root, 'index.html')).catch(() => null);
    if (!index)
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The console is not built: run `npm run build -w @pixsim/console` (npm start builds it).');
    reply.header('cache-control', 'no-cache');
    reply.header('content-security-policy', CSP);
    return reply.type('text/html; charset=utf-8').send(index);
  };
  app.get('/console', { schema: { hide: true } }, (_request, reply) => send(reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } }, (request, reply) =>
    send(reply, request.params['*'] || 'index.html'),
  );
}
