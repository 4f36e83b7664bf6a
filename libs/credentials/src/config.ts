import { z } from 'zod';
import { CredentialError } from './errors.js';
import {
  parseLegacyKeys,
  parsePrivateKeys,
  parsePublicKey,
  type LegacyKeyring,
  type OpeningKeyring,
  type SealingKey,
} from './keys.js';

/**
 * zod fields for a service's config: a malformed key stops the process at start with
 * the variable named, and its value never echoed (the message names the key id only).
 */
function parsed<T>(parse: (raw: string) => T) {
  return z.string().transform((raw, ctx): T => {
    try {
      return parse(raw);
    } catch (err) {
      const message = err instanceof CredentialError ? err.message.replace(/^[A-Z_]+: /, '') : 'not a valid key';
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
  });
}

/** PIXSIM_SEALING_PUBLIC_KEY (gateway). */
export const sealingPublicKeyFromEnv = () => parsed<SealingKey>(parsePublicKey);
/** PIXSIM_SEALING_PRIVATE_KEYS (dispatcher, poller). */
export const sealingPrivateKeysFromEnv = () => parsed<OpeningKeyring>(parsePrivateKeys);
/** PIXSIM_SECRET_KEY of the older symmetric form (dispatcher, poller; optional, for migration). */
export const legacySecretKeyFromEnv = () => parsed<LegacyKeyring>(parseLegacyKeys);
