import type { z } from 'zod';
import { ValidationFailedError, type FieldIssue } from './errors.js';

/** Zod issues as `{ field, message }`, fields dotted (`params.prompt`), prefixed when the input is nested. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  const field = (path: readonly PropertyKey[]) =>
    [prefix, path.map(String).join('.')].filter(Boolean).join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    // One issue lists every unknown key of an object; the client needs each named where it is.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: field([...issue.path, key]), message: 'unknown field' }))
      : [{ field: field(issue.path), message: issue.message }],
  );
}

/** Parses a request part; a mismatch is a 400 VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailedError(toFieldIssues(result.error, prefix));
  return result.data;
}
