import type { PublishInput } from '@pixsim/bus';
import type { SealedSecret } from '@pixsim/contracts';

/**
 * - `polling`: in flight at the provider, polled when due;
 * - `ending`: a poll decided its end and holds the event to announce (published, then `done`);
 *   a cancel or another end can no longer take it, so a job never gets two endings;
 * - `done`: ended (completed, failed, timed out, or failed elsewhere): never polled again;
 * - `cancelled`: cancelled by the user while polling; JOB_FAILED CANCELLED_BY_USER was announced;
 * - `cancel_requested`: a tombstone: the cancel came before the submission, which is cancelled on arrival.
 */
export const GENERATION_STATUSES = ['polling', 'ending', 'done', 'cancelled', 'cancel_requested'] as const;
type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** What JOB_SUBMITTED tells the poller about one accepted generation. */
export interface Submission {
  job_id: string;
  user_id: string;
  provider_id: string;
  provider_job_id: string;
  account_id: string;
  /** Sealed as it arrived; opened in memory only, for the provider call. */
  credential: SealedSecret;
  duration_sec: number | null;
  attempt: number;
  submitted_at: Date;
  /**
   * W3C trace context of the JOB_SUBMITTED handling: each poll runs in it, so the
   * status calls and JOB_COMPLETED stay in the job's one trace.
   */
  trace?: { traceparent?: string; tracestate?: string } | null;
}

/** A generation the poller follows (never a bare tombstone: those carry no submission). */
export interface Generation extends Submission {
  status: GenerationStatus;
  next_poll_at: Date | null;
  /** Consecutive failed polls; a successful poll resets it. */
  failures: number;
  lease_owner: string | null;
  lease_until: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
}

/** A lease taken as a generation is recorded: its holder (a replica) and when it runs out. */
export interface Lease {
  owner: string;
  until: Date;
}

/** Why a generation stopped being polled (kept for the operator). */
export type EndReason = 'completed' | 'failed' | 'moderated' | 'deleted' | 'timeout' | 'cancelled' | 'failed_elsewhere';

/** The store as the poll loop sees it. */
export interface PollStore {
  /**
   * Leases up to `limit` due generations (the longest due first) to `owner` until
   * now + leaseMs (or a millisecond past the previous claim's lease, which names each
   * claim); fewer, or none, when fewer are due or another claim takes some first. The
   * stored next poll moves to the lease's end (when another replica may take it over);
   * the generations returned carry the time their poll was due.
   */
  claimDue(owner: string, now: Date, leaseMs: number, limit: number): Promise<Generation[]>;
  /** Sets the next poll and the failure count and releases the lease, if `owner` still holds it. */
  reschedule(gen: Generation, owner: string, next: { next_poll_at: Date; failures: number }): Promise<void>;
  /**
   * Takes the end of a still-polling generation of this attempt for `reason`, keeping the
   * event that announces it. False when something else ended it first (a cancel, another
   * replica): then nothing is announced.
   */
  beginEnd(gen: Generation, reason: EndReason, event: PublishInput, now: Date): Promise<boolean>;
  /** The end's event was published: `ending` becomes `done`. */
  finish(gen: Generation, reason: EndReason, now: Date): Promise<void>;
  /** Ends taken before `before` whose event may not have gone out (the process died between). */
  unannounced(before: Date, limit: number): Promise<Array<{ gen: Generation; event: PublishInput }>>;
  /** Makes a polling generation due now, by job id or provider job id; returns how many. */
  pokeNow(id: string, now: Date): Promise<number>;
  countPolling(): Promise<number>;
}

/** The store as the event handlers see it. */
export interface LedgerStore {
  /**
   * Records a submission once (a redelivery changes nothing; a higher attempt replaces a lower
   * one still polling; a tombstone turns it into `cancelled`). Returns the stored generation,
   * or null for a replay of a submission whose generation ended and was purged since.
   * With `lease`, a new generation is recorded leased, as a claim leaves it (its stored next
   * poll at the lease's end, where another replica may take it over); the one returned
   * then carries `nextPollAt`. A generation recorded before keeps its lease, or none.
   */
  recordSubmission(sub: Submission, nextPollAt: Date, now: Date, lease?: Lease): Promise<Generation | null>;
  /**
   * Cancels a polling generation, or leaves a tombstone when none exists yet. Returns the
   * generation when it is (now or already) `cancelled`, so the caller announces it; else null.
   */
  cancel(jobId: string, now: Date): Promise<Generation | null>;
  /** The job ended elsewhere: stop polling it, and never start. */
  stopPolling(jobId: string, now: Date): Promise<void>;
}

/** The store as key rotation sees it: polling generations' sealed credentials. */
interface CredentialStore {
  /** Polling generations whose credential is not sealed as `current` (another key id, or the older form). */
  sealedUnderOtherKeys(current: {
    alg: SealedSecret['alg'];
    kid: string;
  }): AsyncIterable<{ id: string; accountId: string; credential: SealedSecret }>;
  replaceCredential(jobId: string, was: SealedSecret, next: SealedSecret): Promise<boolean>;
}

export type GenerationStore = PollStore & LedgerStore & CredentialStore;
