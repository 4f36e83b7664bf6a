import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { FastifyOtelInstrumentation } from '@fastify/otel';
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
export function defaultInstrumentations(libraries: readonly TracedLibrary[] = TRACED_LIBRARIES): Instrumentation[] {
  const make: Record<TracedLibrary, () => Instrumentation> = {
    http: () =>
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => OPS_PATHS.has((req.url ?? '').split('?')[0] ?? ''),
      }),
    ioredis: () => new IORedisInstrumentation({ dbStatementSerializer: redisStatement }),
    undici: () => new UndiciInstrumentation(),
    mongoose: () => new MongooseInstrumentation(),
    fastify: () =>
      new FastifyOtelInstrumentation({
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
