import { PixsimError } from '@pixsim/contracts';

/**
 * A stream holds more entries than its budget (STREAM_MAX_LEN) even after
 * trimming what every group has read and acknowledged: its consumers fell
 * behind. New publishes are refused rather than old work dropped; the caller
 * answers "busy, retry later" (the gateway: 503 with Retry-After).
 */
export class StreamOverBudgetError extends PixsimError {
  constructor(
    readonly stream: string,
    readonly length: number,
    readonly budget: number,
    readonly retryAfterS = 5,
  ) {
    super(
      'STREAM_OVER_BUDGET',
      `stream ${stream} holds ${length} entries, over its budget of ${budget}: its consumers are behind; retry in ` +
        `${retryAfterS} s`,
      { retryable: true },
    );
  }
}

/**
 * The entries were written to the master, but fewer replicas than asked
 * confirmed them in time: a failover now could lose them. The publish is
 * reported failed, so the client retries (the publish-once marks make the
 * retry add nothing twice).
 */
export class ReplicationTimeoutError extends PixsimError {
  constructor(
    readonly stream: string,
    readonly acked: number,
    readonly wanted: number,
    readonly timeoutMs: number,
  ) {
    super(
      'REPLICATION_TIMEOUT',
      `publish to ${stream}: ${acked} of ${wanted} replica(s) confirmed within ${timeoutMs} ms; a failover could ` +
        `lose it`,
      { retryable: true },
    );
  }
}
