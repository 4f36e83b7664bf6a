import { PixsimError } from '@pixsim/contracts';
import type { JobErrorCode } from '@pixsim/contracts';

export const PROVIDER_ERROR_KINDS = [
  'invalid_params',
  'moderation',
  'account_invalid',
  'account_forbidden',
  'concurrency_limit',
  'rate_limited',
  'insufficient_credits',
  'unavailable',
  'timeout',
  'circuit_open',
  'protocol',
] as const;
export type ProviderErrorKind = (typeof PROVIDER_ERROR_KINDS)[number];

/**
 * What the caller should do next:
 * - `retry`: the same request may succeed later (backoff, same or any account);
 * - `switch_account`: this account cannot take it now, another one may;
 * - `fail`: the request itself is refused, fail the job.
 */
export type ProviderDisposition = 'retry' | 'switch_account' | 'fail';

export const KIND_DISPOSITION = {
  invalid_params: 'fail',
  moderation: 'fail',
  account_invalid: 'switch_account',
  account_forbidden: 'switch_account',
  concurrency_limit: 'switch_account',
  rate_limited: 'switch_account',
  insufficient_credits: 'switch_account',
  unavailable: 'retry',
  timeout: 'retry',
  circuit_open: 'retry',
  protocol: 'retry',
} as const satisfies Record<ProviderErrorKind, ProviderDisposition>;

export const KIND_TO_JOB_ERROR = {
  invalid_params: 'INVALID_PARAMS',
  moderation: 'PROVIDER_MODERATION',
  account_invalid: 'ACCOUNT_INVALID',
  account_forbidden: 'ACCOUNT_INVALID',
  concurrency_limit: 'PROVIDER_RATE_LIMITED',
  rate_limited: 'PROVIDER_RATE_LIMITED',
  insufficient_credits: 'ACCOUNT_EXHAUSTED',
  unavailable: 'PROVIDER_UNAVAILABLE',
  timeout: 'PROVIDER_UNAVAILABLE',
  circuit_open: 'PROVIDER_UNAVAILABLE',
  protocol: 'PROVIDER_UNAVAILABLE',
} as const satisfies Record<ProviderErrorKind, JobErrorCode>;

/** Kinds that say the provider itself is unhealthy: only these count as breaker failures. */
const PROVIDER_FAULT_KINDS: ReadonlySet<ProviderErrorKind> = new Set(['unavailable', 'timeout', 'protocol']);

export interface ProviderErrorOptions {
  providerCode?: number;
  httpStatus?: number;
  retryAfterMs?: number;
  cause?: unknown;
  details?: unknown;
  /** Overrides the kind's default, e.g. a caller's own abort is a timeout but not a provider fault. */
  providerFault?: boolean;
}

/**
 * A provider call that did not succeed. `code` is the job error catalogue code
 * (so a generic handler can fail a job with it); `kind` is the finer, stable reason.
 */
export class ProviderError extends PixsimError {
  override readonly code: JobErrorCode;
  readonly kind: ProviderErrorKind;
  readonly disposition: ProviderDisposition;
  /** True when the failure says the provider is unhealthy (and counts towards opening a breaker). */
  readonly providerFault: boolean;
  readonly providerCode?: number;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;

  constructor(kind: ProviderErrorKind, message: string, opts: ProviderErrorOptions = {}) {
    const disposition = KIND_DISPOSITION[kind];
    super(KIND_TO_JOB_ERROR[kind], message, {
      retryable: disposition !== 'fail',
      cause: opts.cause,
      details: opts.details,
    });
    this.code = KIND_TO_JOB_ERROR[kind];
    this.kind = kind;
    this.disposition = disposition;
    this.providerFault = opts.providerFault ?? PROVIDER_FAULT_KINDS.has(kind);
    if (opts.providerCode !== undefined) this.providerCode = opts.providerCode;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }
}

export const isProviderError = (err: unknown): err is ProviderError => err instanceof ProviderError;
