import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { getTracer, librariesOf, redisStatement, startTelemetry, telemetryOptionsFromEnv } from '../src/index.js';
import { resetTelemetry } from './helpers.js';

afterEach(resetTelemetry);

describe('redisStatement', () => {
  it('when a script or a command carries values, then only the command and its keys are recorded', () => {
    const payload = JSON.stringify({ prompt: 'a secret prompt', callback_url: 'https://client.example/hook?t=1' });
    expect(redisStatement('evalsha', ['abc123', '2', 'p:stream:JOB_REQUESTED', 'p:idem:u1', payload, 'x'])).toBe(
      'EVALSHA p:stream:JOB_REQUESTED p:idem:u1',
    );
    expect(redisStatement('xadd', ['p:stream:JOB_CREATED', '*', 'data', payload])).toBe('XADD p:stream:JOB_CREATED');
    expect(redisStatement('set', ['k', 'sealed-key-value', 'EX', 10])).toBe('SET k');
    expect(redisStatement('auth', ['user', 'the-password'])).toBe('AUTH');
    expect(redisStatement('script', ['load', 'return redis.call("x")'])).toBe('SCRIPT');
    expect(redisStatement('xreadgroup', ['GROUP', 'g', 'c', 'COUNT', 10, 'STREAMS', 'a', 'b', '>', '>'])).toBe(
      'XREADGROUP a b',
    );
  });
});

describe('span redaction', () => {
  it('when spans carry query strings or a client URL off the provider, then only the origin (or the provider path) is exported', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new SimpleSpanProcessor(exporter);
    startTelemetry({
      serviceName: 'redact-test',
      instrumentations: [],
      pathHosts: ['api.pixverse.test', 'api.pixverse.test:443'],
      spanProcessors: [processor],
    });
    const tracer = getTracer('t');
    tracer
      .startSpan('POST', {
        kind: SpanKind.CLIENT,
        attributes: {
          'url.full': 'https://client.example/hooks/secret-path?token=abc',
          'url.path': '/hooks/secret-path',
          'url.query': 'token=abc',
          'server.address': 'client.example',
          'server.port': 443,
        },
      })
      .end();
    tracer
      .startSpan('GET', {
        kind: SpanKind.CLIENT,
        attributes: {
          'url.full': 'https://api.pixverse.test/openapi/v2/video/result/42?x=1',
          'server.address': 'api.pixverse.test',
        },
      })
      .end();
    tracer
      .startSpan('POST', {
        kind: SpanKind.CLIENT,
        attributes: {
          'url.full': 'http://api.pixverse.test:8080/hook',
          'url.path': '/hook',
          'server.address': 'api.pixverse.test',
          'server.port': 8080,
        },
      })
      .end();
    const server = tracer.startSpan('GET /api/v1/jobs', {
      kind: SpanKind.SERVER,
      attributes: { 'http.target': '/api/v1/jobs?cursor=secret', 'url.full': 'http://gw/api/v1/jobs?cursor=secret' },
    });
    server.recordException(new Error('fetch https://client.example/hook?token=abc failed'));
    server.end();
    await processor.forceFlush(); // the export waits for the resource's detected attributes
    const [callback, provider, samehost, incoming] = exporter.getFinishedSpans();
    // Same host as the provider, another port: another service, so only its origin.
    expect(samehost!.attributes['url.full']).toBe('http://api.pixverse.test:8080');
    expect(samehost!.attributes['url.path']).toBeUndefined();
    expect(callback!.attributes).toEqual({
      'url.full': 'https://client.example',
      'server.address': 'client.example',
      'server.port': 443,
    });
    expect(provider!.attributes['url.full']).toBe('https://api.pixverse.test/openapi/v2/video/result/42');
    expect(incoming!.attributes).toEqual({ 'http.target': '/api/v1/jobs', 'url.full': 'http://gw/api/v1/jobs' });
    expect(JSON.stringify(incoming!.events)).not.toContain('token=abc');
  });
});

describe('telemetry from the environment', () => {
  it('when a service starts, then it instruments only its own libraries, samples parent-based at OTEL_TRACES_SAMPLER_ARG and names its pod', () => {
    const opts = telemetryOptionsFromEnv({
      OTEL_SERVICE_NAME: 'poller',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      K8S_POD_NAME: 'poller-abc',
      K8S_NAMESPACE_NAME: 'pixsim',
      K8S_DEPLOYMENT_NAME: 'poller',
      PIXVERSE_BASE_URL: 'https://app-api.pixverse.ai',
    });
    expect(opts.instrumentations!.map((i) => i.instrumentationName).sort()).toEqual([
      '@opentelemetry/instrumentation-ioredis',
      '@opentelemetry/instrumentation-mongoose',
      '@opentelemetry/instrumentation-undici',
    ]);
    expect(opts.sampleRatio).toBe(0.1);
    expect(opts.resourceAttributes).toEqual({
      'k8s.pod.name': 'poller-abc',
      'k8s.namespace.name': 'pixsim',
      'k8s.deployment.name': 'poller',
    });
    expect(opts.pathHosts).toEqual(['app-api.pixverse.ai', 'app-api.pixverse.ai:443']);
    expect(librariesOf('gateway')).toContain('fastify');
    expect(telemetryOptionsFromEnv({}).sampleRatio).toBe(1);
    expect(telemetryOptionsFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).samplerFromEnv).toBe(true);
    expect(
      telemetryOptionsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'ioredis',
      }).instrumentations!.map((i) => i.instrumentationName),
    ).toEqual(['@opentelemetry/instrumentation-ioredis']);
  });

  it('when no exporter is set, then no instrumentation is even built (building one patches its library)', () => {
    expect(telemetryOptionsFromEnv({ OTEL_SERVICE_NAME: 'gateway' }).instrumentations).toEqual([]);
  });
});
