import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Every documented operation gets an `operationId`, so generated clients have stable,
 * readable method names. Most derive from method + path (`GET /api/v1/jobs/{id}` →
 * `getJob`); the table names the ones a rule would name badly. Changing a name breaks
 * generated clients: the OpenAPI test lists them all.
 */
const NAMED: Record<string, string> = {
  'POST /api/v1/auth/register': 'register',
  'POST /api/v1/auth/login': 'login',
  'POST /api/v1/auth/logout': 'logout',
  'POST /api/v1/webhooks/pixverse': 'receivePixverseWebhook',
  'GET /api/v1/users/me': 'getCurrentUser',
  'POST /api/v1/api-keys': 'createApiKey',
  'POST /api/v1/accounts': 'createAccount',
  'POST /api/v1/accounts/:id/credits': 'topUpAccount',
  'GET /api/v1/admin/streams': 'listStreams',
  'GET /api/v1/admin/dlq/:type': 'listDeadLetters',
  'POST /api/v1/admin/dlq/:type/replay': 'replayDeadLetters',
  'GET /api/v1/admin/callbacks': 'listFailedCallbacks',
  'POST /api/v1/admin/callbacks/resend': 'resendFailedCallbacks',
  'POST /api/v1/jobs/:id/callback/resend': 'resendJobCallback',
  'GET /api/v1/users/me/usage': 'getCurrentUserUsage',
  'GET /api/v1/users/me/callback-secret': 'getCallbackSecret',
  'POST /api/v1/users/me/callback-secret/rotate': 'rotateCallbackSecret',
  'GET /api/v1/admin/users': 'listUsers',
  'POST /api/v1/admin/users': 'createUser',
  'GET /api/v1/admin/users/:id': 'getUser',
  'PATCH /api/v1/admin/users/:id': 'updateUser',
  'GET /api/v1/jobs': 'listJobs',
  'POST /api/v1/jobs': 'createJob',
  'DELETE /api/v1/jobs/:id': 'cancelJob',
  'GET /api/v1/jobs/:id/events': 'streamJobEvents',
  'GET /api/v1/jobs/stats': 'getJobStats',
  'GET /api/v1/jobs/:id/timeline': 'getJobTimeline',
  'GET /health': 'getHealth',
  'GET /ready': 'getReadiness',
  'GET /metrics': 'getMetrics',
};

const VERB: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'put', PATCH: 'update', DELETE: 'delete' };

const camel = (words: string[]): string =>
  words
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('');
const singular = (w: string): string =>
  w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.endsWith('s') ? w.slice(0, -1) : w;

/** `GET /api/v1/admin/streams/:type/dead` → `getAdminStreamDead`; a list (no trailing param) keeps its plural. */
export function operationIdOf(method: string, url: string): string {
  const named = NAMED[`${method} ${url}`];
  if (named) return named;
  const parts = url
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean);
  const words: string[] = [];
  parts.forEach((p, i) => {
    if (p.startsWith(':')) return;
    const nextIsParam = parts[i + 1]?.startsWith(':') ?? false;
    const last = i === parts.length - 1;
    const word = p.replace(/[^a-zA-Z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
    // A segment followed by its id names one thing, as does a POST to a collection; a listed collection stays plural.
    words.push(nextIsParam || !last || method !== 'GET' ? singular(word) : word);
  });
  const lastIsCollection = method === 'GET' && !parts[parts.length - 1]?.startsWith(':');
  const verb =
    lastIsCollection && /s$/.test(parts[parts.length - 1] ?? '') ? 'list' : (VERB[method] ?? method.toLowerCase());
  return camel([verb, ...words]);
}

/** Sets `operationId` on every route's schema as it is added (before the docs record it). */
export function installOperationIds(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as { operationId?: string; hide?: boolean };
    const method = [route.method].flat()[0]!;
    if (schema.operationId || schema.hide || method === 'HEAD') return;
    route.schema = { ...schema, operationId: operationIdOf(method, route.url) };
  });
}

/**
 * Fixes the document of the app that serves it (docs-app.ts) as a generated client needs it.
 * @fastify/swagger builds the document on its first call and caches that object: fixing
 * it in place then fixes /docs/json, /docs/yaml and app.swagger() alike.
 */
export function installDocumentFix(app: FastifyInstance): void {
  app.addHook('onReady', async () => {
    const holder = app as unknown as { swagger?: (opts?: { yaml?: boolean }) => unknown };
    const original = holder.swagger;
    if (!original) return;
    let fixed = false;
    holder.swagger = function (this: unknown, opts?: { yaml?: boolean }) {
      if (!fixed) {
        fixOpenApiDocument(original.call(this) as Record<string, unknown>);
        fixed = true;
      }
      return original.call(this, opts);
    };
  });
}

/**
 * What a generated client needs beyond the schemas: a server to call (same origin),
 * and no `nullable` without a `type` (zod's nullable unknown: any value, null included).
 */
export function fixOpenApiDocument(doc: Record<string, unknown>): Record<string, unknown> {
  doc.servers ??= [{ url: '/', description: 'the gateway that serves this document' }];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.nullable === true && o.type === undefined) {
      // `anyOf: [string, number] + nullable` says "one of these, or null": each branch says it instead.
      for (const branch of [o.anyOf, o.oneOf].flat())
        if (branch && typeof branch === 'object' && (branch as { type?: unknown }).type)
          (branch as Record<string, unknown>).nullable = true;
      delete o.nullable;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(doc.paths);
  walk(doc.components);
  return doc;
}
