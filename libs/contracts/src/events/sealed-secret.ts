import { z } from 'zod';

/**
 * A credential sealed with AES-256-GCM under a key the services share
 * (PIXSIM_SECRET_KEY). It travels and rests only in this form, never in
 * clear (DESIGN §6). `kid` names the key, so keys can be rotated.
 */
export const sealedSecretSchema = z.object({
  alg: z.literal('A256GCM'),
  kid: z.string().min(1).max(64),
  iv: z.string().min(1).max(64),
  tag: z.string().min(1).max(64),
  ct: z.string().min(1).max(8192),
});
export type SealedSecret = z.infer<typeof sealedSecretSchema>;
