import type { Redis } from 'ioredis';

export interface PruneOptions {
  /** Stream keys to look at (every `<prefix>:<TYPE>` the system uses). */
  streams: readonly string[];
  /** A consumer idle this long with nothing pending belongs to a pod that is gone. */
  idleMs: number;
  dryRun?: boolean;
}

export interface PrunedConsumer {
  stream: string;
  group: string;
  consumer: string;
  idleMs: number;
}

/**
 * Every pod joins its groups as a consumer named after itself, and Redis keeps a consumer
 * until told otherwise: each rollout and scale-down leaves names behind, forever. This
 * deletes those with no pending entries (deleting one with pending entries would drop them
 * from the group's PEL: never done) that have been idle longer than `idleMs`.
 */
export async function pruneConsumers(redis: Redis, opts: PruneOptions): Promise<PrunedConsumer[]> {
  const pruned: PrunedConsumer[] = [];
  for (const stream of opts.streams) {
    if (!(await redis.exists(stream))) continue;
    const groups = pairsList(await redis.xinfo('GROUPS', stream));
    for (const g of groups) {
      const group = String(g.name);
      const consumers = pairsList(await redis.xinfo('CONSUMERS', stream, group));
      for (const c of consumers) {
        const idleMs = Number(c.idle);
        if (Number(c.pending) !== 0 || idleMs < opts.idleMs) continue;
        if (!opts.dryRun) {
          // Re-checked by Redis itself: XGROUP DELCONSUMER returns the pending count it dropped.
          const dropped = Number(await redis.xgroup('DELCONSUMER', stream, group, String(c.name)));
          if (dropped !== 0) throw new Error(`${stream} ${group} ${c.name}: had ${dropped} pending when deleted`);
        }
        pruned.push({ stream, group, consumer: String(c.name), idleMs });
      }
    }
  }
  return pruned;
}

/** XINFO answers [k1, v1, k2, v2, …] per item. */
function pairsList(reply: unknown): Record<string, unknown>[] {
  return (reply as unknown[][]).map((flat) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) o[String(flat[i])] = flat[i + 1];
    return o;
  });
}
