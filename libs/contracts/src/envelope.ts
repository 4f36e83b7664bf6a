import type { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types.js';
import { SchemaError } from './errors.js';

/**
 * The fields of every stream entry (docs/architecture/delivery.md, "An entry"). `data` travels as a JSON
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

function badEnvelope(field: string, why: string): never {
  throw new SchemaError(`bad envelope: ${field}: ${why}`, [{ path: [field], message: why }]);
}

/**
 * Parses raw entry fields into an envelope with JSON-decoded (not yet
 * schema-checked) data. Hand-written rather than a zod object, and reading the
 * field list in place rather than through a record: it runs once per consumed
 * entry, and the messages still name the bad field.
 */
export function parseEnvelope(fields: readonly string[]): Envelope<unknown> {
  let id: string | undefined, type: string | undefined, rawV: string | undefined, at: string | undefined;
  let data: string | undefined, traceparent: string | undefined, tracestate: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    switch (fields[i]) {
      case 'id':
        id = value;
        break;
      case 'type':
        type = value;
        break;
      case 'v':
        rawV = value;
        break;
      case 'at':
        at = value;
        break;
      case 'data':
        data = value;
        break;
      case 'traceparent':
        traceparent = value;
        break;
      case 'tracestate':
        tracestate = value;
        break;
    }
  }
  if (!id || id.length > 512) badEnvelope('id', 'required, at most 512 characters');
  if (!type || !KNOWN_TYPES.has(type)) badEnvelope('type', `unknown event type ${JSON.stringify(type ?? null)}`);
  const v = Number(rawV);
  if (!Number.isInteger(v) || v < 1)
    badEnvelope('v', `expected a positive integer, got ${JSON.stringify(rawV ?? null)}`);
  if (!at || !ISO_TIME.test(at)) badEnvelope('at', 'expected an ISO-8601 time');
  if (data === undefined) badEnvelope('data', 'required');
  if (traceparent !== undefined && traceparent.length > 256) badEnvelope('traceparent', 'too long');
  if (tracestate !== undefined && tracestate.length > 512) badEnvelope('tracestate', 'too long');
  let decoded: unknown;
  try {
    decoded = JSON.parse(data!);
  } catch (err) {
    badEnvelope('data', `not JSON (${(err as Error).message})`);
  }
  // One shape whether or not the entry carries trace context: what consumes it stays fast.
  return {
    id: id!,
    type: type as EventType,
    v,
    at: at!,
    traceparent: traceparent || undefined,
    tracestate: tracestate || undefined,
    data: decoded,
  };
}

/** `path.to.field: message; other: message` — names every bad field. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
