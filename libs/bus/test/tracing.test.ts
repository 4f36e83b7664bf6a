import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { jobFailed, waitFor } from '@pixsim/testkit';
import { createPublisher } from '../src/index.js';
import { jobCreated, testBus } from './helpers.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('trace propagation', () => {
  it('when an event is published inside a span, then the handler runs in a CONSUMER span of the same trace, child of and linked to the producer', async () => {
    const t = testBus();
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    let handlerTraceId: string | undefined;
    const consumer = t.consumer(async () => void (handlerTraceId = trace.getActiveSpan()?.spanContext().traceId));
    await consumer.start();
    const root = trace.getTracer('test').startSpan('POST /api/v1/jobs');
    await context.with(trace.setSpan(context.active(), root), () => publisher.publish(jobCreated(1)));
    root.end();
    await waitFor(() => handlerTraceId !== undefined, { timeoutMs: 5_000, what: 'handler' });
    await consumer.stop();
    await t.cleanup();

    const spans = exporter.getFinishedSpans();
    const producer = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
    const consumerSpan = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
    const traceId = root.spanContext().traceId;
    expect(handlerTraceId).toBe(traceId);
    expect(producer.spanContext().traceId).toBe(traceId);
    expect(consumerSpan.spanContext().traceId).toBe(traceId);
    expect(consumerSpan.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumerSpan.links[0]?.context.spanId).toBe(producer.spanContext().spanId);
    expect(consumerSpan.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'dispatcher',
      'messaging.message.id': 'job-1:JOB_CREATED',
    });
  });

  it('when Redis accepts a publish the PRODUCER span is fine; when it refuses it, the span (which covers the send) records the failure', async () => {
    const t = testBus();
    exporter.reset();
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    await publisher.publish(jobCreated(2));
    const [ok] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(ok!.status.code).not.toBe(SpanStatusCode.ERROR);

    exporter.reset();
    await t.redis.set(t.keys.stream('JOB_CREATED').replace(/JOB_CREATED$/, 'JOB_FAILED'), 'not a stream');
    await expect(publisher.publish(jobFailed('job-9'))).rejects.toThrow(/WRONGTYPE/);
    const [failed] = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
    expect(failed!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('WRONGTYPE') });
    await t.cleanup();
  });
});
