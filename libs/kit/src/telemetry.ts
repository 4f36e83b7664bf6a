import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type * as InstrumentationModule from '@opentelemetry/instrumentation';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type * as OtlpHttpModule from '@opentelemetry/exporter-trace-otlp-http';
import { errorMessage } from './errors.js';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { defaultInstrumentations } from './telemetry-instrumentations.js';
import { RedactingSpanProcessor } from './telemetry-redact.js';
import { contextManagerFor } from './telemetry-context.js';

export interface TelemetryOptions {
  serviceName: string;
  /**
   * OTLP/HTTP base endpoint (`http://collector:4318`). Without it (and without
   * `spanProcessors`) nothing could leave the process, so nothing is recorded: trace ids
   * still exist and propagate (unsampled), and no instrumentation is installed.
   */
  otlpEndpoint?: string;
  /** Replaces defaultInstrumentations(); pass `[]` for none. */
  instrumentations?: Instrumentation[];
  /** Extra span processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
  /** Where telemetry's own failures go; one JSON line on stderr by default. */
  onError?: (message: string) => void;
  /** Upper bound on shutdown's flush; an unreachable collector is retried for longer. Default 5 s. */
  shutdownTimeoutMs?: number;
  /**
   * Head sampling: a root span is kept with this probability, a child follows its parent
   * (parent-based), so a trace is kept or dropped whole. Default 1. Ignored when
   * `sampler` is given.
   */
  sampleRatio?: number;
  /** Replaces the parent-based ratio sampler. */
  sampler?: Sampler;
  /** Leave the sampler to the SDK, which builds it from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG. */
  samplerFromEnv?: boolean;
  /** Resource attributes added to service.name (k8s.pod.name, …); OTEL_RESOURCE_ATTRIBUTES still wins. */
  resourceAttributes?: Record<string, string>;
  /**
   * `host[:port]` whose request paths outgoing spans may record (the provider's API; see pathHostsOf); others
   * keep only the origin.
   */
  pathHosts?: string[];
}

export interface Telemetry {
  /** Flushes and stops; bounded in time, never rejects. */
  shutdown(): Promise<void>;
}

const ACTIVE = Symbol.for('pixsim.kit.telemetry');

// The exporter and the instrumentation registry are loaded only by a process that exports
// (they are CommonJS, so synchronously): one that does not keeps about 2 MiB of heap free.
const load = createRequire(import.meta.url);
type GlobalWithTelemetry = typeof globalThis & { [ACTIVE]?: Telemetry };

/**
 * Starts tracing: W3C trace context, a real tracer provider even without an exporter (so
 * trace ids exist and propagate; across `await` only where that is free, see
 * contextManagerFor), the given instrumentations. Metrics and logs are left to
 * prom-client and pino, so this is the trace SDK alone, not the NodeSDK, which loads every
 * exporter and the metrics and logs SDKs (about 15 MiB resident per process) to use none.
 * Never throws: a failure is reported and a no-op returned. A second call in the same
 * process returns the first handle.
 */
export function startTelemetry(opts: TelemetryOptions): Telemetry {
  const g = globalThis as GlobalWithTelemetry;
  const report = opts.onError ?? stderrReport;
  if (g[ACTIVE]) return g[ACTIVE];
  try {
    diag.setLogger(throttledDiag(report), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    // As the NodeSDK builds it: the defaults and the service's own attributes, then what the
    // host, the OS, the process and the environment (OTEL_RESOURCE_ATTRIBUTES) say, later winning.
    // Spans that no exporter would take are not made: recording them cost a tenth of a
    // service's CPU per job for nothing. Contexts are still minted, so logs and events
    // carry trace ids, and a later run with an exporter traces the same code paths; they
    // follow a job from service to service where carrying them across `await` is free
    // (contextManagerFor).
    const exporting = Boolean(opts.otlpEndpoint) || (opts.spanProcessors?.length ?? 0) > 0;
    const named = resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName });
    // Only spans carry the resource, so the host, the OS and the process are asked only
    // when spans are recorded.
    const resource = !exporting
      ? named
      : defaultResource()
          .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName, ...opts.resourceAttributes }))
          .merge(
            detectResources({
              detectors: [hostDetector, osDetector, serviceInstanceIdDetector, processDetector, envDetector],
            }),
          )
          .merge(named);
    const sampler = !exporting
      ? new AlwaysOffSampler()
      : opts.samplerFromEnv
        ? undefined
        : (opts.sampler ?? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio ?? 1) }));
    const provider = new NodeTracerProvider({
      resource,
      // Without a sampler the provider builds one from OTEL_TRACES_SAMPLER / _ARG.
      ...(sampler ? { sampler } : {}),
      // Redaction first: the processors after it, and so every exporter, see only redacted spans.
      spanProcessors: [
        new RedactingSpanProcessor(new Set(opts.pathHosts ?? [])),
        ...exportProcessors(opts.otlpEndpoint),
        ...(opts.spanProcessors ?? []),
      ],
    });
    provider.register({
      contextManager: contextManagerFor(exporting),
      propagator: new CompositePropagator({
        propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
      }),
    });
    const unregister = exporting
      ? (load('@opentelemetry/instrumentation') as typeof InstrumentationModule).registerInstrumentations({
          tracerProvider: provider,
          instrumentations: opts.instrumentations ?? defaultInstrumentations(),
        })
      : () => {};
    const budgetMs = opts.shutdownTimeoutMs ?? 5_000;
    const handle: Telemetry = { shutdown: once(() => stop(provider, unregister, budgetMs, report, g)) };
    g[ACTIVE] = handle;
    return handle;
  } catch (err) {
    report(`telemetry failed to start, continuing without it: ${errorMessage(err)}`);
    return { shutdown: async () => {} };
  }
}

/** Shuts down whatever startTelemetry started in this process (e.g. from telemetry-register). */
export async function shutdownTelemetry(): Promise<void> {
  await (globalThis as GlobalWithTelemetry)[ACTIVE]?.shutdown();
}

function exportProcessors(endpoint: string | undefined): SpanProcessor[] {
  if (!endpoint) return [new NoopSpanProcessor()];
  const base = endpoint.replace(/\/+$/, '');
  const url = base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
  const { OTLPTraceExporter } = load('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttpModule;
  return [new BatchSpanProcessor(new OTLPTraceExporter({ url }))];
}

async function stop(
  provider: NodeTracerProvider,
  unregister: () => void,
  budgetMs: number,
  report: (m: string) => void,
  g: GlobalWithTelemetry,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      report(`telemetry shutdown took over ${budgetMs} ms, giving up on pending spans`);
      resolve();
    }, budgetMs);
    timer.unref();
  });
  try {
    unregister();
    await Promise.race([provider.shutdown(), budget]);
  } catch (err) {
    report(`telemetry shutdown failed: ${errorMessage(err)}`);
  } finally {
    clearTimeout(timer);
    delete g[ACTIVE];
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

function stderrReport(message: string): void {
  const line = { level: 'warn', time: new Date().toISOString(), component: 'telemetry', msg: message };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** An unreachable collector fails every batch; say so once a minute, not every 5 s. */
function throttledDiag(report: (m: string) => void): DiagLogger {
  const lastSaid = new Map<string, number>();
  const say = (message: string, ...args: unknown[]) => {
    const now = Date.now();
    if ((lastSaid.get(message) ?? 0) > now - 60_000) return;
    lastSaid.set(message, now);
    report([message, ...args.map(describe)].join(' '));
  };
  const quiet = () => {};
  return { error: say, warn: say, info: quiet, debug: quiet, verbose: quiet };
}

function describe(value: unknown): string {
  if (value instanceof Error || typeof value !== 'object' || value === null) return errorMessage(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
