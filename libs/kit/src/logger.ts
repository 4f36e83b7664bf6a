import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import { activeTraceIds } from './tracing.js';
import type { LogLevel } from './config-fields.js';
import { SECRET_KEYS } from './secrets.js';

export type { Logger } from 'pino';

/** Paths pino redacts: every SECRET_KEYS key at the top level and nested one and two levels. */
const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["api-key"]',
  'req.headers["x-api-key"]',
  'headers["api-key"]',
  'headers["x-api-key"]',
  '*.headers["api-key"]',
  '*.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const REDACTED = '[REDACTED]';

export interface LoggerOptions {
  service: string;
  level?: LogLevel | string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Extra redaction paths on top of REDACT_PATHS. */
  redact?: readonly string[];
}

/**
 * A JSON logger with `{ service }` on every line, ISO time, credentials redacted and,
 * inside an OpenTelemetry span, `trace_id` / `span_id` so logs join traces.
 */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: opts.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS, ...(opts.redact ?? [])], censor: REDACTED },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
      mixin: () => activeTraceIds() ?? {},
    },
    opts.destination,
  );
}
