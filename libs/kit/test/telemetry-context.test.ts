import { afterEach, describe, expect, it } from 'vitest';
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { getTracer, startTelemetry } from '../src/index.js';
import { asyncContextIsFree, contextManagerFor, SyncContextManager } from '../src/telemetry-context.js';
import { resetTelemetry } from './helpers.js';

const KEY = createContextKey('test');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

afterEach(resetTelemetry);

describe('SyncContextManager', () => {
  it('when a call runs in a context, then it is active for the synchronous part only and restored after', async () => {
    const m = new SyncContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'job-1');
    const seen: unknown[] = [];
    const done = m.with(ctx, async () => {
      seen.push(m.active().getValue(KEY));
      m.with(ROOT_CONTEXT.setValue(KEY, 'inner'), () => seen.push(m.active().getValue(KEY)));
      seen.push(m.active().getValue(KEY));
      await tick();
      seen.push(m.active().getValue(KEY));
    });
    seen.push(m.active().getValue(KEY));
    await done;
    expect(seen).toEqual(['job-1', 'inner', 'job-1', undefined, undefined]);
  });

  it('when a function is bound, then it runs in its context and a thrown error still restores the one before', () => {
    const m = new SyncContextManager();
    const bound = m.bind(
      ROOT_CONTEXT.setValue(KEY, 'bound'),
      (x: number) => `${String(m.active().getValue(KEY))}:${x}`,
    );
    expect(bound(7)).toBe('bound:7');
    expect(() =>
      m.with(ROOT_CONTEXT.setValue(KEY, 'x'), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
    expect(m.bind(ROOT_CONTEXT, 'not a function')).toBe('not a function');
  });
});

describe('the context manager a process registers', () => {
  it('when AsyncLocalStorage rides on AsyncContextFrame, then carrying a context across await is counted free', () => {
    expect(asyncContextIsFree('20.20.2', [])).toBe(false);
    expect(asyncContextIsFree('22.11.0', [])).toBe(false);
    expect(asyncContextIsFree('22.11.0', ['--experimental-async-context-frame'])).toBe(true);
    expect(asyncContextIsFree('24.22.3', [])).toBe(true);
    expect(asyncContextIsFree('24.22.3', ['--no-async-context-frame'])).toBe(false);
  });

  it('when spans are recorded, or carrying is free, then the context crosses await; otherwise it lasts a call', () => {
    expect(contextManagerFor(true, false)).toBeInstanceOf(AsyncLocalStorageContextManager);
    expect(contextManagerFor(false, true)).toBeInstanceOf(AsyncLocalStorageContextManager);
    expect(contextManagerFor(false, false)).toBeInstanceOf(SyncContextManager);
  });

  it('when spans are exported, then a span started after an await is still the child of the active one', async () => {
    // Ended spans as they end: an exporter would wait for the resource's detectors first.
    const ended: ReadableSpan[] = [];
    const processor: SpanProcessor = {
      onStart: () => {},
      onEnd: (span) => void ended.push(span),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    startTelemetry({ serviceName: 'kit-test', instrumentations: [], spanProcessors: [processor] });
    const tracer = getTracer('kit-test');
    await tracer.startActiveSpan('job', async (span) => {
      await tick();
      tracer.startSpan('after-await').end();
      span.end();
    });
    const [child, parent] = ended;
    expect(child?.name).toBe('after-await');
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });
});
