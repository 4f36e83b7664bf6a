import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';

/**
 * Trace context across streams (docs/observability.md, OpenTelemetry messaging
 * conventions): the producer injects W3C `traceparent`/`tracestate` into the
 * entry; the consumer starts a CONSUMER span that is a child of, and linked to,
 * the producer's context. Telemetry never breaks business code: with no SDK
 * registered all of this is a cheap no-op.
 */
const tracer = () => trace.getTracer('@pixsim/bus');
const SYSTEM = 'redis';

export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/**
 * Runs `fn` (building and sending the entries) inside a PRODUCER span and hands it the context to inject; the
 * span ends when the send does.
 */
export function withProducerSpan<R>(
  destination: string,
  messageId: string | undefined,
  fn: (carrier: TraceCarrier) => Promise<R>,
): Promise<R> {
  const span = tracer().startSpan(`send ${destination}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.destination.name': destination,
      ...(messageId ? { 'messaging.message.id': messageId } : {}),
    },
  });
  const carrier: TraceCarrier = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  // A span no exporter records has nothing to end or to note an error on: the send runs bare.
  if (!span.isRecording()) return fn(carrier);
  return endSpan(span, () => fn(carrier));
}

/** Runs `fn`, records its error on the span, and ends the span either way. */
async function endSpan<R>(span: Span, fn: () => Promise<R>): Promise<R> {
  try {
    return await fn();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

function extractContext(carrier: TraceCarrier): Context {
  if (!carrier.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs the handler inside a CONSUMER span, child of and linked to the producer. */
export async function withConsumerSpan<R>(
  info: { destination: string; group: string; messageId: string; streamId: string; deliveries: number },
  carrier: TraceCarrier,
  fn: (span: Span) => Promise<R>,
): Promise<R> {
  const parent = extractContext(carrier);
  const producer = trace.getSpanContext(parent);
  const span = tracer().startSpan(
    `process ${info.destination}`,
    {
      kind: SpanKind.CONSUMER,
      links: producer ? [{ context: producer }] : [],
      attributes: {
        'messaging.system': SYSTEM,
        'messaging.operation.type': 'process',
        'messaging.destination.name': info.destination,
        'messaging.consumer.group.name': info.group,
        'messaging.message.id': info.messageId,
        'messaging.redis.stream_id': info.streamId,
        'messaging.message.delivery_count': info.deliveries,
      },
    },
    parent,
  );
  return endSpan(span, () => context.with(trace.setSpan(parent, span), () => fn(span)));
}
