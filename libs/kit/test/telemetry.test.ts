import { afterEach, describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { getTracer, startTelemetry } from '../src/index.js';
import { freePort } from '@pixsim/testkit';
import { collector, resetTelemetry } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/traced-work.ts', import.meta.url));

afterEach(resetTelemetry);

describe('telemetry', () => {
  it('when a service runs under --import telemetry-register, then its Redis and MongoDB calls are exported in one trace', async () => {
    const otlp = await collector();
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--import', '@pixsim/kit/telemetry-register', fixture, process.env.MONGODB_URI ?? ''],
        {
          cwd: root,
          env: { ...process.env, OTEL_SERVICE_NAME: 'kit-fixture', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(err).toBe('');
      expect(code).toBe(0);
      const { traceId } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { traceId: string };
      const inTrace = otlp.spans.filter((s) => s.traceId === traceId);
      expect(inTrace.map((s) => s.name)).toContain('fixture-job');
      expect(inTrace.some((s) => s.scope.includes('ioredis'))).toBe(true);
      if (process.env.MONGODB_URI) expect(inTrace.some((s) => s.scope.includes('mongoose'))).toBe(true);
    } finally {
      otlp.server.close();
    }
  }, 60_000); // a child under tsx and the ESM hook loads slowly on a busy machine

  it('when started twice in one process, then the second call returns the first handle', () => {
    const first = startTelemetry({ serviceName: 'a', instrumentations: [] });
    expect(startTelemetry({ serviceName: 'b', instrumentations: [] })).toBe(first);
  });

  it('when the collector is unreachable, then work goes on and shutdown gives up within its budget', async () => {
    const reports: string[] = [];
    const telemetry = startTelemetry({
      serviceName: 'kit-test',
      otlpEndpoint: `http://127.0.0.1:${await freePort()}`,
      instrumentations: [],
      onError: (m) => reports.push(m),
      shutdownTimeoutMs: 300,
    });
    const result = getTracer('t').startActiveSpan('work', (span) => {
      span.end();
      return 42;
    });
    expect(result).toBe(42);
    const started = Date.now();
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reports.join('\n')).toContain('telemetry shutdown took over 300 ms, giving up on pending spans');
  });

  it('when an instrumentation blows up at start, then startTelemetry reports it and returns a no-op handle', async () => {
    const reports: string[] = [];
    const broken = { instrumentationName: 'broken' } as unknown as Instrumentation;
    const telemetry = startTelemetry({
      serviceName: 'kit-test',
      otlpEndpoint: 'http://127.0.0.1:9',
      instrumentations: [broken],
      onError: (m) => reports.push(m),
    });
    expect(reports.join('\n')).toContain('telemetry failed to start, continuing without it');
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
  });

  it('when no exporter is configured, then spans are not recorded nor libraries patched, yet trace ids exist and pass to children', async () => {
    let enabled = 0;
    const probe = {
      instrumentationName: 'probe',
      instrumentationVersion: '1',
      enable: () => void enabled++,
      disable: () => {},
      setTracerProvider: () => {},
      setMeterProvider: () => {},
      setConfig: () => {},
      getConfig: () => ({}),
    } as unknown as Instrumentation;
    const telemetry = startTelemetry({ serviceName: 'kit-test', instrumentations: [probe] });
    try {
      const tracer = getTracer('kit-test');
      const [root, child] = tracer.startActiveSpan('job', (span): [Span, Span] => {
        const inner = tracer.startSpan('step');
        inner.end();
        span.end();
        return [span, inner];
      });
      expect(enabled).toBe(0);
      expect([root.isRecording(), child.isRecording()]).toEqual([false, false]);
      expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(root.spanContext().traceId).not.toBe('0'.repeat(32));
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    } finally {
      await telemetry.shutdown();
    }
  });
});
