import type { GenerationRequest, ValidationIssue } from './provider-port.js';
import { validatePixverse } from './pixverse/limits.js';
import { pixverseCost } from './pixverse/pricing.js';
import { unknownProvider } from './registry.js';

/**
 * What a provider accepts and charges, with no HTTP client behind it: validating a request
 * or estimating its cost needs no connection pool, breaker or credentials. The adapters
 * answer `validate` and `estimateCost` with these same functions.
 */
export interface ProviderRules {
  validate(req: Omit<GenerationRequest, 'jobId'>): ValidationIssue[];
  estimateCost(req: Omit<GenerationRequest, 'jobId'>): number;
}

export const PROVIDER_RULES: Readonly<Record<string, ProviderRules>> = {
  pixverse: {
    validate: (req) => validatePixverse(req.operationType, req.params),
    estimateCost: (req) => pixverseCost(req.params),
  },
};

const rulesOf = (providerId: string): ProviderRules | undefined =>
  Object.hasOwn(PROVIDER_RULES, providerId) ? PROVIDER_RULES[providerId] : undefined;

/** The request's issues under its provider's rules; an unknown provider is an issue on `provider_id`. */
export function validateForProvider(providerId: string, req: Omit<GenerationRequest, 'jobId'>): ValidationIssue[] {
  const rules = rulesOf(providerId);
  if (!rules) return [{ field: 'provider_id', message: `unknown provider ${providerId}` }];
  return rules.validate(req);
}

/**
 * The providers a service can name and their rules, for a service that never calls one (the
 * gateway checks and prices requests): the same answers as a ProviderRegistry's `has` and
 * `get(id).estimateCost`, without loading an HTTP client (undici alone is about 18 MiB
 * resident).
 */
export interface ProviderCatalog {
  has(providerId: string): boolean;
  /** Throws a PermanentError (code UNKNOWN_PROVIDER) for an id no provider has. */
  get(providerId: string): ProviderRules;
}

export const providerCatalog: ProviderCatalog = {
  has: (providerId) => rulesOf(providerId) !== undefined,
  get(providerId) {
    const rules = rulesOf(providerId);
    if (!rules) throw unknownProvider(providerId, Object.keys(PROVIDER_RULES));
    return rules;
  },
};
