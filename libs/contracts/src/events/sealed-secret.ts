import { z } from 'zod';

/**
 * How a credential is sealed:
 * - `X25519-HKDF-A256GCM`: to a public key (`kid`) with an ephemeral X25519 key per seal
 *   (`epk`), HKDF-SHA256 and AES-256-GCM over the account id; whoever seals cannot open;
 * - `A256GCM`: the older form, under a symmetric key every service shared; still opened
 *   where that key is configured, and sealed again in the form above.
 */
const SEAL_ALGS = ['X25519-HKDF-A256GCM', 'A256GCM'] as const;

/**
 * A provider credential as it travels and rests: never in clear. `kid` names the
 * key, so keys can be rotated.
 */
export const sealedSecretSchema = z.object({
  alg: z.enum(SEAL_ALGS),
  kid: z.string().min(1).max(64),
  /** The sender's ephemeral X25519 public key (base64, 32 bytes); X25519 seals only. */
  epk: z.string().min(1).max(64).optional(),
  iv: z.string().min(1).max(64),
  tag: z.string().min(1).max(64),
  ct: z.string().min(1).max(8192),
});
export type SealedSecret = z.infer<typeof sealedSecretSchema>;
