import { z } from 'zod';
import { isoDateSchema, jobParamsSchema, operationTypeSchema } from '@pixsim/contracts';

/**
 * POST /api/v1/jobs. Wire shape only; the provider's own
 * limits (models, durations, prompt length) are checked by its adapter next.
 * Unknown top-level fields are dropped, as the system we replace did.
 */
const KNOWN_PARAMS = new Set(Object.keys(jobParamsSchema.shape));
const MAX_EXTRA_PARAMS = 16;

export const createJobBodySchema = z
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
        message: `at most ${MAX_EXTRA_PARAMS} params beyond the known ones, got ${extra.length} (${extra.slice(0, 5).join(', ')}…)`,
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

export type CreateJobBody = z.infer<typeof createJobBodySchema>;

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
