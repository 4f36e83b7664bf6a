import { z } from 'zod';

/** Sent explicitly in the create command, so the provisional view and the dispatcher agree. */
export const ACCOUNT_DEFAULTS = { max_concurrent_jobs: 1, priority: 0, is_private: false } as const;

const editable = {
  email: z.email().max(320).nullable().optional(),
  nickname: z.string().trim().min(1).max(128).nullable().optional(),
  max_concurrent_jobs: z.number().int().min(1).max(1000).optional(),
  priority: z.number().int().min(0).max(100).optional(),
};
// Bounded so the sealed form fits the event schema (ct ≤ 8192 base64 characters).
const apiKey = z.string().trim().min(1).max(4096);

/** POST /api/v1/accounts. Strict: a misspelt field is an error, not silently dropped. */
export const createAccountBodySchema = z.strictObject({
  provider_id: z.string().min(1).max(64),
  api_key: apiKey,
  is_private: z.boolean().optional(),
  ...editable,
});
export type CreateAccountBody = z.infer<typeof createAccountBodySchema>;

/** PATCH /api/v1/accounts/{id}: counters and credits are not editable here (credits have their route). */
export const updateAccountBodySchema = z
  .strictObject({ ...editable, status: z.enum(['ACTIVE', 'DISABLED']).optional(), api_key: apiKey.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change: send at least one field' });
export type UpdateAccountBody = z.infer<typeof updateAccountBodySchema>;

export const addCreditsBodySchema = z.strictObject({ credits: z.number().int().min(1).max(100_000_000) });
