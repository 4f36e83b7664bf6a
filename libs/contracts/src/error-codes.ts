/**
 * The catalogue of job error codes (docs/architecture/job-lifecycle.md). A failed job carries one of
 * these; `retryable` says whether the system itself tries again before giving up.
 */
export interface ErrorCodeInfo {
  readonly retryable: boolean;
  readonly description: string;
}

export const JOB_ERROR_CODES = {
  INVALID_PARAMS: { retryable: false, description: 'the request breaks the provider limits' },
  PROVIDER_MODERATION: { retryable: false, description: 'the provider refused the content' },
  PROVIDER_FAILED: { retryable: false, description: 'the provider reported the generation failed' },
  PROVIDER_DELETED: { retryable: false, description: 'the provider deleted the generation' },
  PROVIDER_UNAVAILABLE: { retryable: true, description: 'the provider is overloaded or down' },
  PROVIDER_RATE_LIMITED: { retryable: true, description: 'the account hit a concurrency or rate limit' },
  ACCOUNT_EXHAUSTED: { retryable: true, description: 'the account has too few credits' },
  ACCOUNT_INVALID: { retryable: true, description: 'the account key was refused' },
  TIMEOUT: { retryable: false, description: 'the generation did not finish within JOB_TIMEOUT_S' },
  RETRIES_EXHAUSTED: { retryable: false, description: 'every attempt failed with a retryable error' },
  QUOTA_EXCEEDED: { retryable: false, description: "the user's quota is used up" },
  CANCELLED_BY_USER: { retryable: false, description: 'the user cancelled the job' },
  INTERNAL: { retryable: false, description: 'an unexpected error; see the logs for the job id' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type JobErrorCode = keyof typeof JOB_ERROR_CODES;
export const JOB_ERROR_CODE_LIST = Object.keys(JOB_ERROR_CODES) as [JobErrorCode, ...JobErrorCode[]];

export function isRetryableCode(code: JobErrorCode): boolean {
  return JOB_ERROR_CODES[code].retryable;
}
