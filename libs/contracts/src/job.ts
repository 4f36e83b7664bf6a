import { z } from 'zod';
import { JOB_ERROR_CODE_LIST } from './error-codes.js';

export const OPERATION_TYPES = [
  'text_to_video',
  'image_to_video',
  'video_extend',
  'video_transition',
  'fusion',
] as const;
export const operationTypeSchema = z.enum(OPERATION_TYPES);
export type OperationType = z.infer<typeof operationTypeSchema>;

export const JOB_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;
export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.includes(status);

export const jobErrorCodeSchema = z.enum(JOB_ERROR_CODE_LIST);

/** Ids are opaque strings (ULIDs from the gateway); bound them so keys stay small. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only');

/**
 * Generation parameters as the API accepts them. Shape only: the provider's
 * limits (models, durations, …) are checked by the provider adapter, because
 * they belong to the provider, not to the wire.
 */
/** What a job param may be called (known ones and the provider's extras alike). */
export const PARAM_NAME = /^[a-z][a-z0-9_]{0,63}$/;

export const jobParamsSchema = z
  .object({
    prompt: z.string().min(1).max(10_000).optional(),
    negative_prompt: z.string().max(10_000).optional(),
    model: z.string().min(1).max(32).optional(),
    quality: z.string().min(1).max(16).optional(),
    duration: z.number().int().positive().max(60).optional(),
    aspect_ratio: z.string().min(1).max(16).optional(),
    seed: z.number().int().min(0).max(2_147_483_647).optional(),
    motion_mode: z.string().max(16).optional(),
    style: z.string().max(64).optional(),
    image_url: z.string().url().max(2048).optional(),
    video_url: z.string().url().max(2048).optional(),
  })
  .catchall(z.union([z.string().max(2048), z.number(), z.boolean(), z.null()]))
  .superRefine((params, ctx) => {
    // Names are stored as MongoDB field names: `$ref`/`$id` read back as a DBRef, a dot is
    // a path, a NUL ends the name. Only plain lower-case names travel.
    for (const name of Object.keys(params))
      if (!PARAM_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: `param names match ${PARAM_NAME.source}` });
  });
export type JobParams = z.infer<typeof jobParamsSchema>;

export const isoDateSchema = z.string().datetime({ offset: true });
