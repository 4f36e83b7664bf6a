import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types.js';
import { SchemaError } from './errors.js';

/**
 * The fields of every stream entry (DESIGN §3). `data` travels as a JSON
 * string and is validated by its type's schema on both sides.
 */
export interface Envelope<T = unknown> {
  id: string;
  type: EventType;
  v: number;
  at: string;
  traceparent?: string;
  tracestate?: string;
  data: T;
}

/** Flattens an envelope into XADD field/value pairs. */
export function toStreamFields(env: Envelope): string[] {
  const fields = ['id', env.id, 'type', env.type, 'v', String(env.v), 'at', env.at];
  if (env.traceparent) fields.push('traceparent', env.traceparent);
  if (env.tracestate) fields.push('tracestate', env.tracestate);
  fields.push('data', JSON.stringify(env.data));
  return fields;
}

export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  return record;
}

const KNOWN_TYPES = new Set<string>(EVENT_TYPES);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses raw entry fields into an envelope with JSON-decoded (not yet
 * schema-checked) data. Hand-written rather than a zod object: it runs once
 * per consumed entry, and the messages still name the bad field.
 */
export function parseEnvelope(fields: readonly string[]): Envelope<unknown> {
  const f = fieldsToRecord(fields);
  const bad = (field: string, why: string): never => {
    throw new SchemaError(`bad envelope: ${field}: ${why}`, [{ path: [field], message: why }]);
  };
  if (!f.id || f.id.length > 512) bad('id', 'required, at most 512 characters');
  if (!f.type || !KNOWN_TYPES.has(f.type)) bad('type', `unknown event type ${JSON.stringify(f.type ?? null)}`);
  const v = Number(f.v);
  if (!Number.isInteger(v) || v < 1) bad('v', `expected a positive integer, got ${JSON.stringify(f.v ?? null)}`);
  if (!f.at || !ISO_TIME.test(f.at)) bad('at', 'expected an ISO-8601 time');
  if (f.data === undefined) bad('data', 'required');
  if (f.traceparent !== undefined && f.traceparent.length > 256) bad('traceparent', 'too long');
  if (f.tracestate !== undefined && f.tracestate.length > 512) bad('tracestate', 'too long');
  let data: unknown;
  try {
    data = JSON.parse(f.data!);
  } catch (err) {
    bad('data', `not JSON (${(err as Error).message})`);
  }
  const env: Envelope<unknown> = { id: f.id!, type: f.type as EventType, v, at: f.at!, data };
  if (f.traceparent) env.traceparent = f.traceparent;
  if (f.tracestate) env.tracestate = f.tracestate;
  return env;
}

/** `path.to.field: message; other: message` — names every bad field. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
