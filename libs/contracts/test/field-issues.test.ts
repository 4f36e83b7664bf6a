import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFieldIssues } from '../src/index.js';

const issuesOf = (schema: z.ZodType, value: unknown, prefix?: string) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be refused');
  return toFieldIssues(result.error, prefix);
};

describe('toFieldIssues', () => {
  it('when a strict object gets unknown keys, then one detail per key names it by its full path', () => {
    const schema = z.strictObject({ name: z.string(), params: z.strictObject({ prompt: z.string() }) });
    const issues = issuesOf(schema, { name: 'a', extra: 1, other: 2, params: { prompt: 'p', foo: true } });
    expect(issues.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'extra', message: 'unknown field' },
      { field: 'other', message: 'unknown field' },
      { field: 'params.foo', message: 'unknown field' },
    ]);
  });

  it('when the input is nested under a prefix, then unknown keys carry the prefix too', () => {
    expect(issuesOf(z.strictObject({}), { foo: 1 }, 'query')).toEqual([
      { field: 'query.foo', message: 'unknown field' },
    ]);
  });

  it('when other issues arise, then the field is the dotted path and the message is zod\'s; the whole body is "(body)"', () => {
    const schema = z.object({ params: z.object({ prompt: z.string() }) });
    expect(issuesOf(schema, { params: {} })).toEqual([
      { field: 'params.prompt', message: expect.stringContaining('expected string') },
    ]);
    expect(issuesOf(schema, undefined)).toEqual([
      { field: '(body)', message: expect.stringContaining('expected object') },
    ]);
  });
});
