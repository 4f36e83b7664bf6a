export { CredentialError, type CredentialErrorCode } from './errors.js';
export {
  generateSealingKeyPair,
  LEGACY_KEY_ENV,
  parseLegacyKeys,
  parsePrivateKeys,
  parsePublicKey,
  PRIVATE_KEYS_ENV,
  PUBLIC_KEY_ENV,
  publicKeyOf,
  type GeneratedKeyPair,
  type LegacyKeyring,
  type OpeningKeyring,
  type SealingKey,
} from './keys.js';
export { createCredentialOpener, type CredentialOpener } from './open-cache.js';
export { needsReseal, openCredential, SEAL_ALG, sealCredential, sealLegacyForTests, type Opener } from './seal.js';
export {
  createResealer,
  type CredentialHolder,
  type CurrentSeal,
  type Resealer,
  type ResealPort,
  type ResealReport,
} from './reseal.js';
export { legacySecretKeyFromEnv, sealingPrivateKeysFromEnv, sealingPublicKeyFromEnv } from './config.js';
