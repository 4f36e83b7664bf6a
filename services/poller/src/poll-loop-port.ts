import type { LogPort } from '@pixsim/contracts';
import type { VideoProvider } from '@pixsim/providers';
import type { Publish } from './events.js';
import type { Generation, Lease, PollStore } from './generation.js';
import type { PollMetrics } from './poll-metrics.js';
import type { ScheduleSettings } from './schedule.js';

/** What the poll loop is given (settings, ports) and what it offers (PollLoop); createPollLoop in poll-loop.ts. */
export interface PollLoopSettings extends ScheduleSettings {
  /** How often the store is asked for due generations when the last claim found fewer than `batch`. */
  tickMs: number;
  /**
   * The longest wait between claims that find nothing (unset: tickMs). Each empty claim
   * doubles the wait from tickMs up to this; a claim that finds one, a poke, or a generation
   * this replica hands back brings the claims back to tickMs or to when it falls due.
   */
  idleTickMs?: number;
  /** Generations claimed per claim at most. */
  batch: number;
  /**
   * Generations held at once at most (unset: no cap). Each costs about 8 KiB of memory, and
   * holding more than the replica polls per interval only hands them back late: the cap
   * keeps a replica inside its memory limit while the autoscaler adds replicas.
   */
  maxHeld?: number;
  /** Provider calls at once at most. */
  concurrency: number;
  leaseMs: number;
  /**
   * The provider client's own deadline per call, when it has one: a call whose lease allows
   * that long is left to it, and only a shorter one is given a deadline (CallOptions.deadlineAt) here.
   */
  providerDeadlineMs?: number;
}

type LoopLogger = Pick<LogPort, 'warn' | 'error'>;

export interface PollLoopDeps {
  store: PollStore;
  provider: Pick<VideoProvider, 'status'>;
  publish: Publish;
  clock: () => Date;
  /** Opens a generation's sealed credential (bound to its account) in memory, for one call. */
  openCredential: (gen: Pick<Generation, 'account_id' | 'credential'>) => string;
  /** Unique per replica: the lease owner. */
  owner: string;
  settings: PollLoopSettings;
  logger: LoopLogger;
  metrics?: PollMetrics;
  random?: () => number;
}

export interface PollLoop {
  /**
   * One round, for tests and tools: claims due generations (up to `batch`), polls every held
   * generation that is due now (`concurrency` at once) and waits for them; resolves with how
   * many polls it made.
   */
  tick(): Promise<number>;
  start(): void;
  /**
   * Stops claiming and polling; resolves when every poll under way has settled and the
   * generations this replica held are handed back to the store, due when they were due.
   */
  stop(): Promise<void>;
  /** Makes a generation due now (by job id or provider job id) and wakes the loop: for webhooks. */
  pokeNow(id: string): Promise<number>;
  /** Generations this replica holds now (leased, polled from memory). */
  held(): number;
  /**
   * A lease for a generation about to be recorded (on JOB_SUBMITTED) whose first poll is
   * due at `firstPollAt`: recorded leased to this replica, it is polled from memory with no
   * claim. Null when the replica holds POLL_MAX_HELD already, is stopping, or the lease
   * would not cover the first poll: then it is recorded unleased, for a claim. Every lease
   * given is settled by `takeUp`, whatever the record did.
   */
  leaseNew(firstPollAt: Date): Lease | null;
  /**
   * Holds the generation recorded under `lease`, first due at `firstPollAt`; `gen` is what
   * the record returned (null, or a generation recorded before, leaves nothing to hold).
   */
  takeUp(lease: Lease, gen: Generation | null, firstPollAt: Date): void;
}
