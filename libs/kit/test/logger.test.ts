import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createLogger, getTracer, startTelemetry } from '../src/index.js';
import { resetTelemetry } from './helpers.js';

function capture() {
  const lines: string[] = [];
  const destination = { write: (s: string) => void lines.push(s) };
  return { destination, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  beforeAll(() => {
    startTelemetry({ serviceName: 'logger-test', instrumentations: [] });
  });
  afterAll(resetTelemetry);

  it('when a line is written, then it carries the service, the level and an ISO time', () => {
    const out = capture();
    createLogger({ service: 'dispatcher', destination: out.destination }).info({ job_id: 'j1' }, 'hello');
    const [rec] = out.records();
    expect(rec).toMatchObject({ service: 'dispatcher', level: 30, msg: 'hello', job_id: 'j1' });
    expect(String(rec?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('when credentials appear at the top level or nested one or two levels, then they never reach the output', () => {
    const out = capture();
    const logger = createLogger({ service: 'dispatcher', destination: out.destination });
    logger.info(
      {
        api_key: 'SECRET-1',
        // biome-ignore lint/plugin: a camelCase credential must be redacted too
        account: { apiKey: 'SECRET-2', password: 'SECRET-3', credentials: { jwt: 'SECRET-4' } },
        provider: { auth: { token: 'SECRET-5', access_token: 'SECRET-6' } },
        req: { headers: { authorization: 'Bearer SECRET-7', 'api-key': 'SECRET-8' } },
        headers: { 'api-key': 'SECRET-9' },
        keep: 'visible',
      },
      'submitting',
    );
    logger.child({ token: 'SECRET-10' }).warn('child');
    const text = out.lines.join('');
    for (let i = 1; i <= 10; i++) expect(text).not.toContain(`SECRET-${i}`);
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('visible');
  });

  it('when logging inside an active span, then trace_id and span_id of that span appear', () => {
    const out = capture();
    const logger = createLogger({ service: 'poller', destination: out.destination });
    const ids = getTracer('test').startActiveSpan('work', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext();
    });
    logger.info('outside');
    const [inside, outside] = out.records();
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ids.traceId).not.toBe('0'.repeat(32));
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('when the level is raised, then lower lines are dropped', () => {
    const out = capture();
    const logger = createLogger({ service: 'x', level: 'warn', destination: out.destination });
    logger.info('no');
    logger.warn('yes');
    expect(out.records().map((r) => r.msg)).toEqual(['yes']);
  });
});
