import { z } from 'zod';
import { EVENT_TYPES, type EventType } from './event-types.js';
import { SchemaError } from './errors.js';

/**
 * The fields of every stream entry (DESIGN §3). `data` travels as a JSON
 * string and is validated by its type's schema on both sides.
 */
export const envelopeFieldsSchema = z.object({
  id: z.string().min(1).max(512),
  type: z.enum(EVENT_TYPES),
  v: z.coerce.number().int().positive(),
  at: z.string().datetime({ offset: true }),
  traceparent: z.string().max(256).optional(),
  tracestate: z.string().max(512).optional(),
  data: z.string(),
});

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

/** Parses raw entry fields into an envelope with unparsed-but-JSON-decoded data. */
export function parseEnvelope(fields: readonly string[]): Envelope<unknown> {
  const parsed = envelopeFieldsSchema.safeParse(fieldsToRecord(fields));
  if (!parsed.success) {
    throw new SchemaError(`bad envelope: ${formatIssues(parsed.error)}`, parsed.error.issues);
  }
  let data: unknown;
  try {
    data = JSON.parse(parsed.data.data);
  } catch (err) {
    throw new SchemaError(`bad envelope: data is not JSON (${(err as Error).message})`);
  }
  const { data: _raw, ...rest } = parsed.data;
  return { ...rest, data };
}

/** `path.to.field: message; other: message` — names every bad field. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
