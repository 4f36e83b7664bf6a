import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type * as HttpModule from '@opentelemetry/instrumentation-http';
import type * as IORedisModule from '@opentelemetry/instrumentation-ioredis';
import type * as UndiciModule from '@opentelemetry/instrumentation-undici';
import type * as MongooseModule from '@opentelemetry/instrumentation-mongoose';
import type * as FastifyOtelModule from '@fastify/otel';
import { OPS_PATHS } from './ops-routes.js';
import { redisStatement } from './telemetry-redact.js';

export const TRACED_LIBRARIES = ['http', 'fastify', 'ioredis', 'mongoose', 'undici'] as const;
export type TracedLibrary = (typeof TRACED_LIBRARIES)[number];

/**
 * What each service uses, so each patches only those libraries: an instrumentation
 * costs its hooks on every call even where nothing is traced. The workers' ops
 * endpoints are not traced, so they need no http or fastify instrumentation.
 */
export const SERVICE_LIBRARIES: Readonly<Record<string, readonly TracedLibrary[]>> = {
  gateway: ['http', 'fastify', 'ioredis', 'mongoose', 'undici'],
  'job-intake': ['ioredis', 'mongoose'],
  dispatcher: ['ioredis', 'mongoose', 'undici'],
  poller: ['ioredis', 'mongoose', 'undici'],
  asset: ['ioredis', 'mongoose'],
};

/** The libraries of `service` (all of them for a service not listed). */
export const librariesOf = (service: string): readonly TracedLibrary[] =>
  SERVICE_LIBRARIES[service] ?? TRACED_LIBRARIES;

/**
 * HTTP (probe routes ignored), ioredis (the command and its keys, never its arguments),
 * undici, mongoose (no statement: filters and documents hold payloads) and fastify
 * (request and handler spans). ioredis keeps its default `requireParentSpan: true`: a
 * Redis command outside any span (the idle XREADGROUP loop) would otherwise make one
 * root trace per poll.
 */
// Each instrumentation's module is loaded only by a service that uses it (they are CommonJS,
// so synchronously): a worker does not hold the http, fastify and undici ones (about 6 MiB).
const load = createRequire(import.meta.url);

export function defaultInstrumentations(libraries: readonly TracedLibrary[] = TRACED_LIBRARIES): Instrumentation[] {
  const make: Record<TracedLibrary, () => Instrumentation> = {
    http: () =>
      new (load('@opentelemetry/instrumentation-http') as typeof HttpModule).HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => OPS_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
    ioredis: () =>
      new (load('@opentelemetry/instrumentation-ioredis') as typeof IORedisModule).IORedisInstrumentation({
        dbStatementSerializer: redisStatement,
      }),
    undici: () => new (load('@opentelemetry/instrumentation-undici') as typeof UndiciModule).UndiciInstrumentation(),
    mongoose: () =>
      new (load('@opentelemetry/instrumentation-mongoose') as typeof MongooseModule).MongooseInstrumentation(),
    fastify: () =>
      new (load('@fastify/otel') as typeof FastifyOtelModule).FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // The request and handler spans, not one per lifecycle hook: eight more spans per
        // request cost a tenth of the gateway's CPU and say little that the handler's
        // Redis and MongoDB child spans do not.
        instrumentHooks: false,
        ignorePaths: ({ url }) => OPS_PATHS.has(url),
      }),
  };
  return [...new Set(libraries)].map((lib) => make[lib]());
}
