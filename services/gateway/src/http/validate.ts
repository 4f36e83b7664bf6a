import type { z } from 'zod';
import { toFieldIssues } from '@pixsim/contracts';
import { ValidationFailedError } from './errors.js';

/** Parses a request part; a mismatch is a 400 VALIDATION_FAILED naming each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationFailedError(toFieldIssues(result.error, prefix));
  return result.data;
}
