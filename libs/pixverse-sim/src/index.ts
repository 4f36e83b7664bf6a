export { startSimulator } from './server.js';
export { signWebhook, verifyWebhook, type VerifyOptions } from './webhook-signature.js';
export { keyId } from './key-id.js';
export { priceOf } from './pricing.js';
export { fingerprint } from './stats.js';
export { ERR, messageFor, type Envelope } from './error-codes.js';
export { DEFAULT_FAULTS } from './faults.js';
export {
  MODELS,
  QUALITIES,
  ASPECT_RATIOS,
  outputSize,
  type GenerationParams,
  type Model,
  type Quality,
  type AspectRatio,
} from './params.js';
export type { TerminalStatus } from './directives.js';
export type {
  AccountSpec,
  EndpointName,
  FaultConfig,
  FaultKind,
  SimConfig,
  SimStats,
  Simulator,
  SimulatorOptions,
  WebhookOptions,
} from './types.js';
export { seededRng, type Rng } from './random.js';
