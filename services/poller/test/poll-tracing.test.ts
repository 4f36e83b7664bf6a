import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { getTracer, shutdownTelemetry, startTelemetry } from '@pixsim/kit';
import { createPollLoop } from '../src/poll-loop.js';
import { FakeProvider, generation, manualClock, MemoryPollStore, RecordingMetrics } from './fakes.js';

afterEach(async () => {
  await shutdownTelemetry();
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('poll loop tracing', () => {
  it('when a generation is polled for an hour, then its trace holds a handful of poll spans, not one per poll, and its end', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new SimpleSpanProcessor(exporter);
    startTelemetry({ serviceName: 'poller-test', instrumentations: [], spanProcessors: [processor] });
    const tracer = getTracer('test');
    const time = manualClock();
    const store = new MemoryPollStore();
    const fake = new FakeProvider();
    // Each provider call and each publish makes a span, as the undici and bus instrumentation would.
    const provider = {
      status: (creds: { apiKey: string }, id: string) =>
        tracer.startActiveSpan('GET status', async (span) => {
          try {
            return await fake.status(creds, id);
          } finally {
            span.end();
          }
        }),
    };
    const publish = (input: { type: string }) =>
      tracer.startActiveSpan(`send ${input.type}`, async (span) => {
        span.end();
        return { streamId: '1' };
      });
    const loop = createPollLoop({
      store,
      provider,
      clock: time.clock,
      metrics: new RecordingMetrics(),
      owner: 'replica-a',
      random: () => 1,
      publish,
      openCredential: () => 'key',
      settings: {
        tickMs: 5,
        batch: 20,
        concurrency: 3,
        leaseMs: 30_000,
        pollIntervalMs: 5_000,
        jobTimeoutMs: 7_200_000,
      },
      logger: { warn: () => {}, error: () => {} },
    });
    const job = tracer.startSpan('POST /api/v1/jobs');
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), job), carrier);
    job.end();
    store.add(generation('j1', time.clock(), { trace: carrier }));

    let polls = 0;
    for (let s = 0; s < 3_600; s += 5) {
      time.advance(5_000);
      polls += await loop.tick();
    }
    fake.script('pv-j1', {
      state: 'completed',
      result: { url: 'https://m.example/v.mp4', width: null, height: null, duration_sec: null, file_size_bytes: null },
    });
    time.advance(60_000);
    polls += await loop.tick();
    await processor.forceFlush();

    const inTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === job.spanContext().traceId);
    expect(polls).toBeGreaterThan(200);
    expect(inTrace.filter((s) => s.name === 'GET status').length).toBeLessThanOrEqual(3);
    expect(inTrace.map((s) => s.name)).toContain('send JOB_COMPLETED');
    expect(inTrace.length).toBeLessThan(10);
  });
});
