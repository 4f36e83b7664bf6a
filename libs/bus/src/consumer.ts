import type { EventType, Keys } from '@pixsim/contracts';
import { AckBatcher } from './acks.js';
import { backoffDelay, DEFAULT_BACKOFF, sleep, type BackoffOptions } from './backoff.js';
import { createEntryProcessor, type EventHandler } from './entry-processor.js';
import { deliveryCounts, ensureGroup, isNoGroupError } from './group.js';
import { createReclaimer } from './reclaimer.js';
import { Slots } from './slots.js';
import { silentLogger, type BusHooks, type BusLogger, type RawEntry, type RedisClient } from './types.js';

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
  logger?: BusLogger;
  hooks?: BusHooks;
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
  const { redis, keys, type, group, consumer } = opts;
  const logger = opts.logger ?? silentLogger;
  const stream = keys.stream(type);
  const claimTimeoutMs = opts.claimTimeoutMs ?? 60_000;
  const blockMs = opts.blockMs ?? 1_000;
  const slots = new Slots(opts.concurrency ?? 10);
  const stopping = new AbortController();
  const acks = new AckBatcher(redis, stream, group, logger);
  const reclaimer = createReclaimer({ redis, stream, group, consumer, claimTimeoutMs, logger });
  const handling = new Set<string>();
  const process = createEntryProcessor({
    redis,
    keys,
    type,
    group,
    consumer,
    handler: opts.handler,
    acks,
    logger,
    hooks: opts.hooks ?? {},
    maxAttempts: opts.maxAttempts ?? 5,
    maxDeliveries: opts.maxDeliveries ?? 10,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    signal: stopping.signal,
  });
  let blocking: RedisClient | null = null;
  let loop: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let paused = false;
  let wakeResume: (() => void) | null = null;

  // Entries read but not started yet. Reading ahead keeps every slot busy
  // without one tiny read per finished handler; a read takes up to `prefetch`.
  const buffer: Array<{ id: string; fields: string[] | null; deliveries: number }> = [];
  const prefetch = opts.prefetch ?? slots.capacity;
  let wakeReader: (() => void) | null = null;

  const pump = () => {
    while (slots.free > 0 && buffer.length > 0 && (!paused || stopping.signal.aborted)) {
      const { id, fields, deliveries } = buffer.shift()!;
      slots.acquire();
      void process(id, fields, deliveries).finally(() => {
        handling.delete(id);
        slots.release();
        pump();
      });
    }
    if (buffer.length < prefetch) {
      wakeReader?.();
      wakeReader = null;
    }
  };

  const enqueue = (id: string, fields: string[] | null, deliveries: number) => {
    if (handling.has(id)) return;
    handling.add(id);
    buffer.push({ id, fields, deliveries });
  };

  const read = async (from: string): Promise<RawEntry[]> => {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', prefetch - buffer.length];
    if (from === '>') args.push('BLOCK', blockMs);
    args.push('STREAMS', stream, from);
    return entriesOf(await blocking!.call('XREADGROUP', args));
  };

  const claimEveryMs = Math.max(50, Math.min(5_000, Math.floor(claimTimeoutMs / 3)));
  let nextClaimAt = 0;

  /** Takes over entries of dead consumers, between reads. */
  const claimAbandoned = async () => {
    if (Date.now() < nextClaimAt) return;
    nextClaimAt = Date.now() + claimEveryMs;
    for (const { entry, deliveries } of await reclaimer.claim(prefetch - buffer.length))
      enqueue(entry[0], entry[1], deliveries);
    pump();
  };

  const runLoop = async () => {
    // Own pending entries first: what this replica held when it last died.
    let cursor: string | null = '0';
    for (let failures = 0; !stopping.signal.aborted; ) {
      if (paused) {
        await new Promise<void>((r) => (wakeResume = r));
        continue;
      }
      if (buffer.length >= prefetch) {
        await new Promise<void>((r) => (wakeReader = r));
        continue;
      }
      try {
        await claimAbandoned();
        if (buffer.length >= prefetch) continue;
        const entries = await read(cursor ?? '>');
        failures = 0;
        if (cursor === null) {
          for (const [id, fields] of entries) enqueue(id, fields, 1);
        } else if (entries.length === 0) {
          cursor = null;
        } else {
          cursor = entries.at(-1)![0];
          const counts = await deliveryCounts(
            redis,
            stream,
            group,
            consumer,
            entries.map(([id]) => id),
          );
          for (const [id, fields] of entries) enqueue(id, fields, counts.get(id) ?? 1);
        }
        pump();
      } catch (err) {
        if (stopping.signal.aborted) break;
        if (isNoGroupError(err)) await ensureGroup(redis, stream, group, opts.startId).catch(() => {});
        const delay = backoffDelay(failures++, { baseMs: 200, maxMs: 10_000 });
        logger.warn(
          { err, stream, group, retryInMs: delay },
          'reading the stream failed; check that Redis is reachable',
        );
        await sleep(delay, stopping.signal);
      }
    }
  };

  /** Keeps live handlers' entries from looking abandoned. */
  const keepAlive = async () => {
    try {
      await reclaimer.keepAlive([...handling]);
    } catch (err) {
      logger.warn({ err, stream, group }, 'pending-list keep-alive failed; will try again');
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
      if (loop) return;
      await ensureGroup(redis, stream, group, opts.startId);
      blocking = redis.duplicate();
      loop = runLoop();
      timer = setInterval(() => void keepAlive(), claimEveryMs);
      timer.unref();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      wakeResume?.();
      wakeResume = null;
      pump();
    },
    async stop() {
      if (stopping.signal.aborted) return;
      // No new reads; a read already waiting returns within blockMs and its
      // entries are handled. Retry sleeps end early and leave their entry pending.
      // Entries already read are handled too, so a clean stop leaves nothing
      // waiting for the claim timeout.
      stopping.abort();
      wakeResume?.();
      wakeReader?.();
      await loop;
      pump();
      while (buffer.length > 0 || slots.used > 0) await slots.drain();
      if (timer) clearInterval(timer);
      await acks.flush();
      blocking?.disconnect();
    },
  };
}

/**
 * XREADGROUP for one stream: RESP2 answers [[key, entries]], RESP3 a map that
 * ioredis flattens to [key, entries]. Accept both.
 */
function entriesOf(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first = reply[0];
  if (Array.isArray(first)) return (first[1] as RawEntry[]) ?? [];
  return (reply[1] as RawEntry[]) ?? [];
}
