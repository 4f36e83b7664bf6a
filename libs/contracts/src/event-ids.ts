/**
 * Deterministic event ids (docs/architecture/delivery.md): a handler run twice re-emits the same
 * id, so the publisher and every consumer can recognise the repeat.
 */
export const eventIds = {
  jobRequested: (jobId: string) => `${jobId}:JOB_REQUESTED`,
  jobCreated: (jobId: string) => `${jobId}:JOB_CREATED`,
  jobDeferred: (jobId: string, attempt: number, reason: string) => `${jobId}:JOB_DEFERRED:${attempt}:${reason}`,
  jobSubmitted: (jobId: string, attempt: number) => `${jobId}:JOB_SUBMITTED:${attempt}`,
  jobCompleted: (jobId: string) => `${jobId}:JOB_COMPLETED`,
  jobFailed: (jobId: string) => `${jobId}:JOB_FAILED`,
  jobCancelRequested: (jobId: string) => `${jobId}:JOB_CANCEL_REQUESTED`,
  assetCreated: (jobId: string) => `${jobId}:ASSET_CREATED`,
  accountCommand: (accountId: string, requestId: string) => `${accountId}:ACCOUNT_COMMAND:${requestId}`,
  accountUpdated: (accountId: string, revision: number) => `${accountId}:ACCOUNT_UPDATED:${revision}`,
  /** One per webhook delivery (its nonce), so a provider retry is recognised. */
  generationPoked: (providerJobId: string, nonce: string) => `${providerJobId}:GENERATION_POKED:${nonce}`,
} as const;
