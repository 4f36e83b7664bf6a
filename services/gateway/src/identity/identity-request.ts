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

export const setRoleBodySchema = z.strictObject({ role: z.enum(ROLES) });
