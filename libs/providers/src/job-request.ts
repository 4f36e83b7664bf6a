import { z } from 'zod';
import { isoDateSchema, jobParamsSchema, operationTypeSchema, toFieldIssues } from '@pixsim/contracts';
import type { ValidationIssue } from './provider-port.js';
import { validateForProvider } from './rules.js';

const KNOWN_PARAMS = new Set(Object.keys(jobParamsSchema.shape));
const MAX_EXTRA_PARAMS = 16;

/**
 * A job request as POST /api/v1/jobs takes it: the wire shape only. Unknown top-level fields
 * are dropped, as the system we replace did (so a JOB_REQUESTED's own fields pass too).
 */
export const jobRequestSchema = z
  .object({
    operation_type: operationTypeSchema,
    provider_id: z.string().min(1).max(64).default('pixverse'),
    params: jobParamsSchema,
    priority: z.number().int().min(0).max(10).default(5),
    name: z.string().max(256).nullable().default(null),
    description: z.string().max(4096).nullable().default(null),
    workspace_id: z.string().max(128).nullable().default(null),
    scheduled_at: isoDateSchema.nullable().default(null),
    /** Where the final view is POSTed (README, Callbacks); checked against the gateway's callback settings. */
    callback_url: z.string().max(2048).optional(),
  })
  .superRefine((body, ctx) => {
    // Params beyond the known ones are passed to the provider as given; a few are plenty.
    const extra = Object.keys(body.params).filter((k) => !KNOWN_PARAMS.has(k));
    if (extra.length > MAX_EXTRA_PARAMS) {
      ctx.addIssue({
        code: 'custom',
        path: ['params'],
        message:
          `at most ${MAX_EXTRA_PARAMS} params beyond the known ones, got ${extra.length} ` +
          `(${extra.slice(0, 5).join(', ')}…)`,
      });
    }
    const needs = (field: 'prompt' | 'image_url') =>
      ctx.addIssue({ code: 'custom', path: ['params', field], message: `Required for ${body.operation_type}` });
    if ((body.operation_type === 'text_to_video' || body.operation_type === 'image_to_video') && !body.params.prompt)
      needs('prompt');
    if (body.operation_type === 'image_to_video' && !body.params.image_url) needs('image_url');
    for (const field of ['image_url', 'video_url'] as const) {
      const problem = body.params[field] === undefined ? null : publicHttpsProblem(body.params[field]);
      if (problem) ctx.addIssue({ code: 'custom', path: ['params', field], message: problem });
    }
  });

export type JobRequest = z.infer<typeof jobRequestSchema>;

/**
 * The verdict on a job request. `VALIDATION_FAILED`: it breaks the wire shape (a missing or
 * mistyped field). `INVALID_PARAMS`: it is well formed but its provider is unknown or refuses
 * it (model, duration, prompt length …). Issues name their fields (`params.model`).
 */
export type JobRequestVerdict =
  | { ok: true; request: JobRequest }
  | { ok: false; code: 'VALIDATION_FAILED' | 'INVALID_PARAMS'; issues: ValidationIssue[] };

/**
 * The one check of a job request, the gateway's at POST /jobs and job-intake's again on
 * JOB_REQUESTED (a gateway of another version may have sent it): the wire shape, then the
 * provider's limits. Pure: no provider client, no I/O.
 */
export function validateJobRequest(input: unknown): JobRequestVerdict {
  const parsed = jobRequestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: 'VALIDATION_FAILED', issues: toFieldIssues(parsed.error) };
  const request = parsed.data;
  const issues = validateForProvider(request.provider_id, {
    operationType: request.operation_type,
    params: request.params,
  });
  return issues.length > 0 ? { ok: false, code: 'INVALID_PARAMS', issues } : { ok: true, request };
}

const PRIVATE_HOST = [
  /^localhost$/,
  /\.localhost$/,
  /\.local$/,
  /^0\.0\.0\.0$/,
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^\[(::1?|f[cd][0-9a-f]*:.*|fe80:.*|::ffff:.*)\]$/,
];

/**
 * The provider fetches the URL itself; a private or loopback address would aim it
 * (or a later downloader of ours) at our own network. A pattern check on the host
 * only: names that resolve to private addresses need a DNS check at fetch time.
 */
export function publicHttpsProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  const host = url.hostname.toLowerCase();
  if (PRIVATE_HOST.some((p) => p.test(host))) return 'must not point at a private or loopback address';
  return null;
}
