import { z } from 'zod';
import { idSchema, isoDateSchema } from '../job.js';
import { sealedSecretSchema } from './sealed-secret.js';

export { sealedSecretSchema, type SealedSecret } from './sealed-secret.js';

export const ACCOUNT_STATUSES = ['ACTIVE', 'EXHAUSTED', 'RATE_LIMITED', 'ERROR', 'DISABLED'] as const;
export const accountStatusSchema = z.enum(ACCOUNT_STATUSES);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

const accountFields = {
  email: z.string().max(320).nullable().optional(),
  nickname: z.string().max(128).nullable().optional(),
  max_concurrent_jobs: z.number().int().min(1).max(1000).optional(),
  priority: z.number().int().min(0).max(100).optional(),
  is_private: z.boolean().optional(),
};

/** Admin commands about provider accounts; the dispatcher owns accounts. */
export const accountCommandSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('create'),
    account_id: idSchema,
    provider_id: z.string().min(1).max(64),
    credential: sealedSecretSchema,
    ...accountFields,
    requested_at: isoDateSchema,
  }),
  z.object({
    action: z.literal('update'),
    account_id: idSchema,
    credential: sealedSecretSchema.optional(),
    status: z.enum(['ACTIVE', 'DISABLED']).optional(),
    ...accountFields,
    requested_at: isoDateSchema,
  }),
  z.object({ action: z.literal('delete'), account_id: idSchema, requested_at: isoDateSchema }),
  z.object({
    action: z.literal('add_credits'),
    account_id: idSchema,
    credits: z.number().int().min(1).max(100_000_000),
    requested_at: isoDateSchema,
  }),
]);

/** The account as others may see it: no credential, ever. */
export const accountUpdatedSchema = z.object({
  account_id: idSchema,
  provider_id: z.string().min(1).max(64),
  email: z.string().max(320).nullable(),
  nickname: z.string().max(128).nullable(),
  status: accountStatusSchema,
  credits: z.number().int(),
  cooldown_until: isoDateSchema.nullable(),
  max_concurrent_jobs: z.number().int().min(1),
  in_flight: z.number().int().min(0),
  priority: z.number().int(),
  total_submitted: z.number().int().min(0),
  total_failed: z.number().int().min(0),
  last_used: isoDateSchema.nullable(),
  created_at: isoDateSchema,
  deleted: z.boolean(),
  /** Monotonic per account, so a late update never overwrites a newer view. */
  revision: z.number().int().min(0),
});
