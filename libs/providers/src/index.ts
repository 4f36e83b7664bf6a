export type {
  BreakerChangeListener,
  BreakerName,
  BreakerState,
  BreakerStats,
  BreakerView,
  CallOptions,
  GenerationRequest,
  GenerationResult,
  GenerationState,
  GenerationStatus,
  ProviderCredentials,
  SubmitResult,
  ValidationIssue,
  VideoProvider,
} from './provider-port.js';
export {
  KIND_DISPOSITION,
  KIND_TO_JOB_ERROR,
  PROVIDER_ERROR_KINDS,
  ProviderError,
  isProviderError,
} from './provider-error.js';
export type { ProviderDisposition, ProviderErrorKind, ProviderErrorOptions } from './provider-error.js';
export type { ProviderLogger } from './logger.js';
export { silentProviderLogger } from './logger.js';
export { createProviderRegistry } from './registry.js';
export type { ProviderRegistry } from './registry.js';
export { PIXVERSE_ERR_CODES, classifyPixverse, parseRetryAfter } from './pixverse/classify.js';
export type { ClassifyOptions, PixverseClassification } from './pixverse/classify.js';
export {
  PIXVERSE_ASPECT_RATIOS,
  PIXVERSE_DEFAULTS,
  PIXVERSE_MAX_PROMPT_CHARS,
  PIXVERSE_MAX_SEED,
  PIXVERSE_MODELS,
  PIXVERSE_MOTION_MODES,
  PIXVERSE_QUALITIES,
  PIXVERSE_STYLES,
  PIXVERSE_SUPPORTED_OPERATIONS,
  allowedDurations,
  resolvePixverseParams,
  validatePixverse,
} from './pixverse/limits.js';
export type { PixverseModel, PixverseQuality, ResolvedPixverseParams } from './pixverse/limits.js';
export { PIXVERSE_PRICE_5S, pixverseCost } from './pixverse/pricing.js';
export { PIXVERSE_STATUS } from './pixverse/responses.js';
export { BREAKER_NAMES, countsAsBreakerFailure } from './pixverse/breakers.js';
export type { BreakerConfig } from './pixverse/breakers.js';
export {
  PIXVERSE_DEFAULT_BREAKER,
  PIXVERSE_DEFAULT_CONNECTIONS,
  PIXVERSE_DEFAULT_TIMEOUTS,
  createPixverseProvider,
} from './pixverse/adapter.js';
export type { PixverseProviderOptions } from './pixverse/adapter.js';
export { registerBreakerMetrics } from './breaker-metrics.js';
export {
  PROVIDER_RULES,
  providerCatalog,
  validateForProvider,
  type ProviderCatalog,
  type ProviderRules,
} from './rules.js';
export {
  jobRequestSchema,
  publicHttpsProblem,
  validateJobRequest,
  type JobRequest,
  type JobRequestVerdict,
} from './job-request.js';
