import type { z } from 'zod';

/** One bad input field, as the error shape's `details` lists them. */
export interface FieldIssue {
  field: string;
  message: string;
}

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

/** Issues as one line (`params.model: …; params.duration: …`): an error's message, a failed job's error_message. */
export const describeIssues = (issues: readonly FieldIssue[]): string =>
  issues.map((i) => `${i.field}: ${i.message}`).join('; ');
