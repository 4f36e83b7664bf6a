import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';
import type { DocumentedRoute } from './docs-app.js';

/** Headers of the docs app's answer that belong to its own (injected) connection, not to ours. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date']);

/**
 * /docs (the OpenAPI document at /docs/json and /docs/yaml, Swagger UI at /docs/) without
 * their weight at start: every documented route is remembered as it is registered, and
 * the first /docs request imports and builds the docs app (docs-app.ts), to which this
 * and every later /docs request is handed as it came. A gateway that is never asked for
 * its docs never loads @fastify/swagger, Swagger UI or the document (about 10 MiB
 * resident).
 */
export function installLazyDocs(
  app: FastifyInstance,
  load: () => Promise<typeof import('./docs-app.js')> = () => import('./docs-app.js'),
): void {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const schema = route.schema as (FastifySchema & { hide?: boolean }) | undefined;
    const methods = [route.method].flat().filter((m) => m !== 'HEAD') as HTTPMethods[];
    if (!schema || schema.hide || methods.length === 0) return;
    routes.push({ method: methods, url: route.url, schema });
  });
  let built: Promise<FastifyInstance> | undefined;
  const docsApp = (): Promise<FastifyInstance> => {
    built ??= load()
      .then((m) => m.buildDocsApp(routes))
      .catch((err: unknown) => {
        built = undefined; // the next request tries again
        throw err;
      });
    return built;
  };
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const res = await (await docsApp()).inject({
      method: request.method as 'GET' | 'HEAD',
      url: request.url,
      headers: request.headers,
    });
    reply.code(res.statusCode);
    for (const [name, value] of Object.entries(res.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    return reply.send(res.rawPayload);
  };
  app.get('/docs', { schema: { hide: true } }, forward);
  app.get('/docs/*', { schema: { hide: true } }, forward);
  app.addHook('onClose', async () => {
    if (built) await (await built.catch(() => null))?.close();
  });
}
