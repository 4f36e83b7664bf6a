import { z } from 'zod';
import { ROLES } from '../auth/principal.js';

// A bound on the password keeps one request from buying a long scrypt run.
const credentials = {
  email: z.email().max(320),
  password: z.string().min(8).max(256),
};

export const registerBodySchema = z.strictObject(credentials);
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const loginBodySchema = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const createApiKeyBodySchema = z.strictObject({ name: z.string().trim().min(1).max(128) });

const quotaValue = z.number().int().min(0).max(1_000_000_000).nullable();

/** PATCH /admin/users/{id}: every field optional; null in `quota` puts that limit back to the default. */
export const updateUserBodySchema = z.strictObject({
  disabled: z.boolean().optional(),
  cancel_jobs: z.boolean().optional(),
  role: z.enum(ROLES).optional(),
  quota: z
    .strictObject({
      max_active_jobs: quotaValue.optional(),
      jobs_per_day: quotaValue.optional(),
      credits_per_day: quotaValue.optional(),
    })
    .optional(),
});
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

/** POST /admin/users: without a password one is generated and shown once. */
export const createUserBodySchema = z.strictObject({
  email: credentials.email,
  password: credentials.password.optional(),
  role: z.enum(ROLES).default('user'),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

export const userListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
  q: z.string().trim().min(1).max(320).optional(),
});
