import { isSpanContextValid, trace, type Context, type Tracer } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/** A tracer from the global provider (a no-op one until telemetry starts). */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

export interface TraceIds {
  trace_id: string;
  span_id: string;
}

/** Ids of the active span, or undefined outside a (valid) span. Never throws. */
export function activeTraceIds(): TraceIds | undefined {
  try {
    const ctx = trace.getActiveSpan()?.spanContext();
    if (!ctx || !isSpanContextValid(ctx)) return undefined;
    return { trace_id: ctx.traceId, span_id: ctx.spanId };
  } catch {
    return undefined;
  }
}

/**
 * `ctx` with tracing suppressed: what runs in it makes no spans (instrumented calls
 * included), while the trace context stays for what is later run in `ctx` itself.
 */
export const untracedContext = (ctx: Context): Context => suppressTracing(ctx);
