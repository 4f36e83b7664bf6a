import type { JobParams, OperationType } from '@pixsim/contracts';

/**
 * The port the dispatcher and the poller talk to. One implementation per video
 * provider; nothing outside this lib knows a provider's wire format.
 */
export interface ProviderCredentials {
  apiKey: string;
}

export interface GenerationRequest {
  jobId: string;
  operationType: OperationType;
  params: JobParams;
}

export interface SubmitResult {
  providerJobId: string;
  /** Credits the generation costs, from the provider's price table. */
  cost: number;
}

export type GenerationState = 'pending' | 'completed' | 'failed' | 'moderated' | 'deleted';

export interface GenerationResult {
  url: string;
  width: number | null;
  height: number | null;
  duration_sec: number | null;
  file_size_bytes: number | null;
}

export interface GenerationStatus {
  state: GenerationState;
  result?: GenerationResult;
  /** The provider's own answer, for logs and debugging. */
  raw?: unknown;
}

export interface ValidationIssue {
  /** Dotted path into the request, e.g. `params.model` or `operation_type`. */
  field: string;
  message: string;
}

export type BreakerName = 'submit' | 'status' | 'upload' | 'balance';
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerStats {
  fires: number;
  successes: number;
  failures: number;
  rejects: number;
  timeouts: number;
  latencyMean: number;
}

export interface BreakerView {
  name: BreakerName;
  state: BreakerState;
  /** Counters over the breaker's rolling window. */
  stats: BreakerStats;
}

export type BreakerChangeListener = (name: BreakerName, state: BreakerState) => void;

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * The instant (epoch ms) the call must have ended by, when that is sooner than the
   * client's own request timeout. Cheaper than a signal for the same purpose: the client
   * bounds its calls with timers shared between calls, not one per call.
   */
  deadlineAt?: number;
}

export interface VideoProvider {
  readonly id: string;
  /** Provider limits; pure, no I/O. An empty list means the request is acceptable. */
  validate(req: Omit<GenerationRequest, 'jobId'>): ValidationIssue[];
  /** Credits the generation will cost; pure, no I/O. */
  estimateCost(req: Omit<GenerationRequest, 'jobId'>): number;
  submit(creds: ProviderCredentials, req: GenerationRequest, opts?: CallOptions): Promise<SubmitResult>;
  status(creds: ProviderCredentials, providerJobId: string, opts?: CallOptions): Promise<GenerationStatus>;
  balance(creds: ProviderCredentials, opts?: CallOptions): Promise<{ credits: number }>;
  breakers(): BreakerView[];
  /** Returns the unsubscribe function. */
  onBreakerChange(listener: BreakerChangeListener): () => void;
  close(): Promise<void>;
}
