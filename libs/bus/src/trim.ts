import { compareStreamIds } from './group.js';
import type { RedisClient } from './types.js';

export interface TrimResult {
  /** Entries removed (XTRIM's count; approximate trimming removes whole nodes only). */
  trimmed: number;
  /** Entries before this id were read and acknowledged by every group; null: nothing is safe to trim. */
  safeBefore: string | null;
}

/**
 * Trims a stream behind its slowest group: `XTRIM MINID ~ <id>` at the oldest
 * of every group's last-delivered id and oldest pending id, so no entry that
 * some group has not read, or read and not acknowledged, is dropped. A stream
 * with none of its groups yet, or missing one of `expectedGroups` (it would
 * start at '0' and read the history), is left whole.
 */
export async function trimBehindGroups(
  redis: RedisClient,
  stream: string,
  expectedGroups: readonly string[] = [],
  opts: { exact?: boolean } = {},
): Promise<TrimResult> {
  let raw: unknown[][];
  try {
    raw = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  } catch (err) {
    if (/no such key/i.test(String((err as Error).message))) return { trimmed: 0, safeBefore: null };
    throw err;
  }
  const groups = raw.map(pairsToObject);
  const names = new Set(groups.map((g) => String(g.name)));
  if (groups.length === 0 || expectedGroups.some((g) => !names.has(g))) return { trimmed: 0, safeBefore: null };
  let safeBefore: string | null = null;
  for (const g of groups) {
    let bound = String(g['last-delivered-id'] ?? '0-0');
    if (Number(g.pending ?? 0) > 0) {
      const summary = (await redis.xpending(stream, String(g.name))) as [number, string | null, ...unknown[]];
      if (summary[1] && compareStreamIds(summary[1], bound) < 0) bound = summary[1];
    }
    if (safeBefore === null || compareStreamIds(bound, safeBefore) < 0) safeBefore = bound;
  }
  if (safeBefore === null || safeBefore === '0-0') return { trimmed: 0, safeBefore };
  // Approximate by default: whole radix-tree nodes only, cheap, and never past the bound.
  const trimmed = Number(
    opts.exact ? await redis.xtrim(stream, 'MINID', safeBefore) : await redis.xtrim(stream, 'MINID', '~', safeBefore),
  );
  return { trimmed, safeBefore };
}

export function pairsToObject(pairs: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) out[String(pairs[i])] = pairs[i + 1];
  return out;
}
