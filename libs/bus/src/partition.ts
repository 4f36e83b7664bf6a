import { Cluster } from 'ioredis';
import type { EventType, LogPort } from '@pixsim/contracts';
import { AckBatcher } from './acks.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import type { ConsumerOptions } from './consumer.js';
import { createEntryProcessor } from './entry-processor.js';
import { createReclaimer } from './reclaimer.js';
import type { RawEntry, RedisClient } from './types.js';

/** One partition's stream as a consumer reads it: its acks, take-over, handling and blocking connection. */
export interface Partition {
  partition: number;
  stream: string;
  acks: AckBatcher;
  reclaimer: ReturnType<typeof createReclaimer>;
  process: (streamId: string, fields: string[] | null, deliveries: number) => Promise<void>;
  blocking: RedisClient | null;
  loop: Promise<void> | null;
  /** Entries of this partition in the buffer, or asked for by a read under way. */
  held: number;
}

/**
 * One reader per partition: each partition is its own stream, in its own cluster
 * slot, so each has its own XREADGROUP (on its own connection), acks, take-over.
 */
export function createPartitions<T extends EventType>(
  opts: ConsumerOptions<T>,
  ctx: { logger: LogPort; claimTimeoutMs: number; signal: AbortSignal },
): Partition[] {
  const { redis, keys, type, group, consumer } = opts;
  const { logger, claimTimeoutMs } = ctx;
  return keys.streams(type).map((stream, partition) => {
    const acks = new AckBatcher(redis, stream, group, logger);
    return {
      partition,
      stream,
      acks,
      reclaimer: createReclaimer({ redis, stream, group, consumer, claimTimeoutMs, logger }),
      process: createEntryProcessor({
        redis,
        keys,
        type,
        partition,
        group,
        consumer,
        handler: opts.handler,
        acks,
        logger,
        hooks: opts.hooks ?? {},
        maxAttempts: opts.maxAttempts ?? 5,
        maxDeliveries: opts.maxDeliveries ?? 10,
        backoff: opts.backoff ?? DEFAULT_BACKOFF,
        signal: ctx.signal,
      }),
      blocking: null,
      loop: null,
      held: 0,
    };
  });
}

/**
 * XREADGROUP of `count` entries on the partition's blocking connection: its own pending
 * entries from `from`, or new ones (`>`, blocking up to `blockMs`). The entries asked for
 * count as held while the read is under way.
 */
export async function readGroup(
  p: Partition,
  read: { group: string; consumer: string; from: string; count: number; blockMs: number },
): Promise<RawEntry[]> {
  const args: (string | number)[] = ['GROUP', read.group, read.consumer, 'COUNT', read.count];
  if (read.from === '>') args.push('BLOCK', read.blockMs);
  args.push('STREAMS', p.stream, read.from);
  p.held += read.count;
  try {
    return entriesOf(await p.blocking!.call('XREADGROUP', args));
  } finally {
    p.held -= read.count;
  }
}

/**
 * A connection of its own for blocking reads. A cluster client duplicates into
 * a new Cluster over the same nodes, which connects only to the node serving the
 * slot it reads and follows that slot through a failover (MOVED, slot refresh);
 * a failed read is retried by the read loop with backoff either way.
 */
export function blockingConnection(redis: RedisClient): RedisClient {
  // One blocking read at a time travels on this connection, so auto-pipelining has nothing to
  // batch: it would only wrap every XREADGROUP in a pipeline of its own, built for each read and
  // held for as long as the read blocks, long enough that an idle service's young collections
  // promote it and its old generation fills with them.
  const connection: RedisClient =
    redis instanceof Cluster
      ? redis.duplicate([], { enableAutoPipelining: false })
      : redis.duplicate({ enableAutoPipelining: false });
  // A copy does not inherit the original's listeners. Its failures surface as failed reads,
  // which the read loop logs and retries; without a listener ioredis reports each one as unhandled.
  connection.on('error', () => {});
  return connection;
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
