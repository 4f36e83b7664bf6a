import type { FastifyBaseLogger } from 'fastify';

/** The PixVerse calls the simulator answers, as named in stats and fault filters. */
export type EndpointName = 'text_generate' | 'img_generate' | 'image_upload' | 'result' | 'balance';

export const ENDPOINT_NAMES: readonly EndpointName[] = [
  'text_generate',
  'img_generate',
  'image_upload',
  'result',
  'balance',
];

/** Kinds of injected faults, as counted in `stats().faults_injected`. */
export type FaultKind = 'outage' | 'drop' | 'timeout' | 'http_5xx' | 'rate_limit' | 'high_load' | 'slow';

/**
 * Infrastructure misbehaviour, applied to PixVerse calls before any business logic
 * (a faulted submit creates no generation). Rates are probabilities in 0..1; at most one
 * of drop/timeout/http_5xx/rate_limit/high_load hits a call, and `slow` adds to any.
 */
export interface FaultConfig {
  /** ErrCode 500069 "high load" (HTTP 200 envelope). */
  highLoadRate: number;
  /** HTTP 502 or 503 with an HTML body, as a load balancer would answer. */
  http5xxRate: number;
  /** Holds the request open for `timeoutMs`, then answers HTTP 504 (or never, if the client leaves). */
  timeoutRate: number;
  timeoutMs: number;
  /** Destroys the socket without an answer. */
  dropRate: number;
  /** Delays the answer by `slowMs` on this fraction of calls (default 1: every call when slowMs > 0). */
  slowRate: number;
  slowMs: number;
  /** HTTP 429 with `Retry-After: retryAfterS`. */
  rateLimitRate: number;
  retryAfterS: number;
  /** Every PixVerse call answers HTTP 503 while true. */
  outage: boolean;
  /** Restricts the rate-based faults (not the outage) to these calls; null means all. */
  endpoints: EndpointName[] | null;
}

export interface AccountSpec {
  apiKey: string;
  credits: number;
  maxConcurrent: number;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per delivery including the first (default 4). */
  maxAttempts?: number;
  /** First retry delay; doubles on each retry (default 500 ms). */
  backoffMs?: number;
  /** Per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
}

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Time a generation spends in status 5 (default 2000; 0: done at the first status call). */
  latencyMs?: number;
  /** The provider frees a concurrency slot this long after submit even if still generating (default 600000). */
  slotReleaseMs?: number;
  accounts?: AccountSpec[];
  faults?: Partial<FaultConfig>;
  webhook?: WebhookOptions;
  /** Makes fault rolls and generated seeds reproducible. */
  seed?: number;
  /**
   * A JSON file the simulator reads at start and keeps up to date: accounts and their
   * credits, generations, uploaded images and trace ids survive a restart, as they do
   * at the provider. Accounts in `accounts` that the file already has keep its credits.
   */
  statePath?: string;
  /** How often the state file is rewritten when something changed (default 1000 ms). */
  stateIntervalMs?: number;
  /** A pino(-compatible) logger; silent when absent. */
  logger?: FastifyBaseLogger;
}

export interface SimStats {
  /** The simulator's clock (ms since the epoch) when these counters were read: rates between two reads divide by its difference. */
  at_ms: number;
  /** Accepted submissions per account (keyed by `keyId`, never the full key). */
  submissions: Record<string, number>;
  /** Generations holding a concurrency slot, per account. */
  in_flight: Record<string, number>;
  credits: Record<string, number>;
  total_submissions: number;
  /** Accepted submissions whose fingerprint had already been accepted. */
  duplicates: number;
  duplicate_fingerprints: string[];
  /** Calls received per PixVerse endpoint, faulted ones included. */
  calls: Record<string, number>;
  faults_injected: Record<string, number>;
  /** Accepted submits that reused an earlier submit's Ai-trace-id (those generations never finish). */
  reused_trace_ids: number;
  webhooks: { delivered: number; failed: number; attempts: number; pending: number };
}

export interface SimConfig {
  latencyMs: number;
  slotReleaseMs: number;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`: the PixVerse base URL (paths under /openapi/v2/). */
  url: string;
  port: number;
  addAccount(account: AccountSpec): void;
  setFaults(faults: Partial<FaultConfig>): void;
  configure(config: Partial<SimConfig>): void;
  stats(): SimStats;
  /** Clears generations, images and stats; accounts too when `{ accounts: true }`. */
  reset(opts?: { accounts?: boolean }): void;
  stop(): Promise<void>;
}
