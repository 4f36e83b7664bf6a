import { hash } from 'node:crypto';
import { z } from 'zod';
import { ValidationFailedError } from '../http/errors.js';

const keySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

/** The header's value, or undefined when absent; 400 when malformed. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const parsed = keySchema.safeParse(Array.isArray(header) ? header.join(',') : header);
  if (!parsed.success)
    throw new ValidationFailedError([{ field: 'Idempotency-Key', message: parsed.error.issues[0]!.message }]);
  return parsed.data;
}

/** Hash of the parsed body (defaults applied, keys sorted): `{}` and `{"priority":5}` are the same request. */
export function bodyHash(body: unknown): string {
  return hash('sha256', stableJson(body), 'hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
