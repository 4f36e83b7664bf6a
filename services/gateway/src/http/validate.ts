import type { z } from 'zod';
import { ValidationFailedError, type FieldIssue } from './errors.js';

/** Zod issues as `{ field, message }`, fields dotted (`params.prompt`), prefixed when the input is nested. */
export function toFieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return { field: [prefix, path].filter(Boolean).join('.') || '(body)', message: issue.message };
  });
}

/** Parses a request part; a mismatch is a 400 VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailedError(toFieldIssues(result.error, prefix));
  return result.data;
}
