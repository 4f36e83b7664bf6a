import { CONSUMERS, silentLog, type EventType, type Keys, type LogPort } from '@pixsim/contracts';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import type { EventHandler } from './entry-processor.js';
import { deliveryCounts, ensureGroup, isNoGroupError } from './group.js';
import { blockingConnection, createPartitions, readGroup, type Partition } from './partition.js';
import { Slots } from './slots.js';
import { trimBehindGroups } from './trim.js';
import type { BusHooks, RedisClient } from './types.js';

export interface ConsumerOptions<T extends EventType> {
  /** Command connection (shared); the consumer duplicates it for its blocking reads. */
  redis: RedisClient;
  keys: Keys;
  type: T;
  /** The consuming service's name. */
  group: string;
  /** Stable per replica (pod name), so a restarted replica reads its own pending entries first. */
  consumer: string;
  handler: EventHandler<T>;
  /** Handlers running at once (MAX_JOBS). */
  concurrency?: number;
  /** Entries read ahead of free slots; the concurrency by default. */
  prefetch?: number;
  blockMs?: number;
  /** Longer than the longest handler; idle entries past it are taken over. */
  claimTimeoutMs?: number;
  maxAttempts?: number;
  maxDeliveries?: number;
  backoff?: BackoffOptions;
  /** Where a new group starts ('0': nothing published before it is missed). */
  startId?: string;
  logger?: LogPort;
  hooks?: BusHooks;
  /** Groups that must all exist before the stream is trimmed: CONSUMERS[type] by default. */
  trimGroups?: readonly string[];
  /** How often the stream is trimmed and gone consumers removed (0: never); 30 s by default. */
  maintenanceMs?: number;
  /** A consumer with nothing pending, idle this long, is removed from the group; 1 h by default. */
  consumerIdleMs?: number;
}

export interface Consumer {
  readonly type: EventType;
  readonly group: string;
  readonly inFlight: number;
  readonly paused: boolean;
  start(): Promise<void>;
  /** Stops reading; handlers already running finish and ack. */
  pause(): void;
  resume(): void;
  /** No new reads; in-flight handlers finish and ack; then the connection closes. */
  stop(): Promise<void>;
}

export function createConsumer<T extends EventType>(opts: ConsumerOptions<T>): Consumer {
  const { redis, type, group, consumer } = opts;
  const logger = opts.logger ?? silentLog;
  const claimTimeoutMs = opts.claimTimeoutMs ?? 60_000;
  const blockMs = opts.blockMs ?? 1_000;
  const slots = new Slots(opts.concurrency ?? 10);
  const stopping = new AbortController();
  const trimGroups = opts.trimGroups ?? CONSUMERS[type];
  const maintenanceMs = opts.maintenanceMs ?? 30_000;
  const consumerIdleMs = opts.consumerIdleMs ?? 3_600_000;

  const partitions = createPartitions(opts, { logger, claimTimeoutMs, signal: stopping.signal });
  const handling = new Map<Partition, Set<string>>(partitions.map((p) => [p, new Set<string>()]));
  let timer: NodeJS.Timeout | null = null;
  let maintenance: NodeJS.Timeout | null = null;
  let maintaining: Promise<void> | null = null;
  let started = false;
  let paused = false;
  let resumeWaiters: Array<() => void> = [];

  // Entries read but not started yet, from every partition. Reading ahead keeps every
  // slot busy without one tiny read per finished handler. Each partition's reader may
  // hold its share of `prefetch` (at least 1), read or being read, so no partition
  // starves another; all together hold at most prefetch + partitions − 1.
  const buffer: Array<{ p: Partition; id: string; fields: string[] | null; deliveries: number }> = [];
  const prefetch = opts.prefetch ?? slots.capacity;
  const share = Math.max(1, Math.ceil(prefetch / partitions.length));
  let readerWaiters: Array<() => void> = [];
  const room = (p: Partition) => share - p.held;
  const wakeReaders = () => {
    const waiters = readerWaiters;
    readerWaiters = [];
    for (const wake of waiters) wake();
  };

  const pump = () => {
    while (slots.free > 0 && buffer.length > 0 && (!paused || stopping.signal.aborted)) {
      const { p, id, fields, deliveries } = buffer.shift()!;
      p.held--;
      slots.acquire();
      void p.process(id, fields, deliveries).finally(() => {
        handling.get(p)!.delete(id);
        slots.release();
        pump();
      });
    }
    if (readerWaiters.length > 0 && partitions.some((p) => room(p) > 0)) wakeReaders();
  };

  const enqueue = (p: Partition, id: string, fields: string[] | null, deliveries: number) => {
    const held = handling.get(p)!;
    if (held.has(id)) return;
    held.add(id);
    p.held++;
    buffer.push({ p, id, fields, deliveries });
  };

  const claimEveryMs = Math.max(50, Math.min(5_000, Math.floor(claimTimeoutMs / 3)));

  const runLoop = async (p: Partition) => {
    let nextClaimAt = 0;
    /** Takes over entries of dead consumers, between reads. */
    const claimAbandoned = async () => {
      if (Date.now() < nextClaimAt) return;
      nextClaimAt = Date.now() + claimEveryMs;
      for (const { entry, deliveries } of await p.reclaimer.claim(room(p))) enqueue(p, entry[0], entry[1], deliveries);
      pump();
    };
    // Own pending entries first: what this replica held when it last died.
    let cursor: string | null = '0';
    for (let failures = 0; !stopping.signal.aborted; ) {
      if (paused) {
        await new Promise<void>((r) => resumeWaiters.push(r));
        continue;
      }
      if (room(p) <= 0) {
        await new Promise<void>((r) => readerWaiters.push(r));
        continue;
      }
      try {
        await claimAbandoned();
        const count = room(p);
        if (count <= 0) continue;
        const entries = await readGroup(p, { group, consumer, from: cursor ?? '>', count, blockMs });
        failures = 0;
        if (cursor === null) {
          for (const [id, fields] of entries) enqueue(p, id, fields, 1);
        } else if (entries.length === 0) {
          cursor = null;
        } else {
          cursor = entries.at(-1)![0];
          const counts = await deliveryCounts(
            redis,
            p.stream,
            group,
            consumer,
            entries.map(([id]) => id),
          );
          for (const [id, fields] of entries) enqueue(p, id, fields, counts.get(id) ?? 1);
        }
        pump();
      } catch (err) {
        if (stopping.signal.aborted) break;
        if (isNoGroupError(err)) await ensureGroup(redis, p.stream, group, opts.startId).catch(() => {});
        // A read cut off mid-reply may have handed this consumer entries it never saw: read its own
        // pending list again first, rather than leave them for another replica's claim timeout.
        cursor = '0';
        const delay = backoffDelay(failures++, { baseMs: 200, maxMs: 10_000 });
        logger.warn(
          { err, stream: p.stream, group, retry_in_ms: delay },
          'reading the stream failed; check that Redis is reachable',
        );
        await sleep(delay, stopping.signal);
      }
    }
  };

  /** Keeps live handlers' entries from looking abandoned. */
  const keepAlive = async () => {
    for (const p of partitions) {
      try {
        await p.reclaimer.keepAlive([...handling.get(p)!]);
      } catch (err) {
        logger.warn({ err, stream: p.stream, group }, 'pending-list keep-alive failed; will try again');
      }
    }
  };

  /**
   * The periodic pass over each partition: trim behind the slowest group (never an
   * unread or unacknowledged entry), and remove this group's consumers that are gone
   * (nothing pending, idle past consumerIdleMs), so rollouts leave no dead names.
   */
  const maintain = async () => {
    for (const p of partitions) {
      if (stopping.signal.aborted) return;
      try {
        await trimBehindGroups(redis, p.stream, trimGroups);
        const removed = await p.reclaimer.removeIdleConsumers(consumerIdleMs);
        if (removed.length > 0) logger.info({ stream: p.stream, group, removed }, 'removed consumers that are gone');
      } catch (err) {
        logger.warn({ err, stream: p.stream, group }, 'stream maintenance failed; will try again');
      }
    }
  };

  return {
    type,
    group,
    get inFlight() {
      return slots.used;
    },
    get paused() {
      return paused;
    },
    async start() {
      if (started) return;
      started = true;
      for (const p of partitions) await ensureGroup(redis, p.stream, group, opts.startId);
      for (const p of partitions) {
        p.blocking = blockingConnection(redis);
        p.loop = runLoop(p);
      }
      timer = setInterval(() => void keepAlive(), claimEveryMs);
      timer.unref();
      if (maintenanceMs > 0) {
        maintenance = setInterval(() => {
          maintaining ??= maintain().finally(() => (maintaining = null));
        }, maintenanceMs);
        maintenance.unref();
      }
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      const waiters = resumeWaiters;
      resumeWaiters = [];
      for (const wake of waiters) wake();
      pump();
    },
    async stop() {
      if (stopping.signal.aborted) return;
      // No new reads; a read already waiting returns within blockMs and its
      // entries are handled. Retry sleeps end early and leave their entry pending.
      // Entries already read are handled too, so a clean stop leaves nothing
      // waiting for the claim timeout.
      stopping.abort();
      for (const wake of resumeWaiters) wake();
      resumeWaiters = [];
      wakeReaders();
      if (maintenance) clearInterval(maintenance);
      await Promise.all(partitions.map((p) => p.loop));
      pump();
      while (buffer.length > 0 || slots.used > 0) await slots.drain();
      if (timer) clearInterval(timer);
      await maintaining;
      await Promise.all(partitions.map((p) => p.acks.flush()));
      for (const p of partitions) p.blocking?.disconnect();
    },
  };
}
