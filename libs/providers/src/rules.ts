import type { GenerationRequest, ValidationIssue } from './provider-port.js';
import { validatePixverse } from './pixverse/limits.js';
import { pixverseCost } from './pixverse/pricing.js';

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

/** The request's issues under its provider's rules; an unknown provider is an issue on `provider_id`. */
export function validateForProvider(providerId: string, req: Omit<GenerationRequest, 'jobId'>): ValidationIssue[] {
  const rules = Object.hasOwn(PROVIDER_RULES, providerId) ? PROVIDER_RULES[providerId] : undefined;
  if (!rules) return [{ field: 'provider_id', message: `unknown provider ${providerId}` }];
  return rules.validate(req);
}
