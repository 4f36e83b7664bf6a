import type { Document } from 'bson';
import { isPlainObject } from './canonical.js';
import type { IndexBounds, OrderedIndex } from './ordered-index.js';

/** An index scan for one query: the slice to read, and whether it comes out in the requested sort order. */
export interface QueryPlan {
  index: OrderedIndex;
  bounds: IndexBounds;
  /** The slice is in the sort's order, so reading may stop after skip + limit matches. */
  inSortOrder: boolean;
}

type Condition = { equal: unknown } | { range: { min?: unknown; max?: unknown } };

const indexable = (v: unknown): boolean =>
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && !Number.isNaN(v)) ||
  (v instanceof Date && !Number.isNaN(v.getTime()));

const LOWER = new Set(['$gt', '$gte']);
const UPPER = new Set(['$lt', '$lte']);

/**
 * The top-level fields a filter pins: an equality with a value an index orders, or a
 * range of `$gt $gte $lt $lte`. Conditions under `$and`/`$or`, on `null`, and other
 * operators are left to the filter itself: a plan only has to narrow, never decide.
 */
function conditionsOf(filter: Document | undefined): Map<string, Condition> {
  const out = new Map<string, Condition>();
  for (const [field, cond] of Object.entries(filter ?? {})) {
    if (field.startsWith('$') || field.includes('.')) continue;
    if (indexable(cond)) {
      out.set(field, { equal: cond });
      continue;
    }
    if (!isPlainObject(cond)) continue;
    const ops = Object.entries(cond);
    if (ops.length === 1 && ops[0]![0] === '$eq' && indexable(ops[0]![1])) {
      out.set(field, { equal: ops[0]![1] });
      continue;
    }
    if (ops.length === 0 || !ops.every(([op, v]) => (LOWER.has(op) || UPPER.has(op)) && indexable(v))) continue;
    // Two bounds on one side (`$gt` and `$gte`) both hold; reading from either one only widens the slice.
    const range: { min?: unknown; max?: unknown } = {};
    for (const [op, v] of ops) {
      if (LOWER.has(op)) range.min = v;
      else range.max = v;
    }
    out.set(field, { range });
  }
  return out;
}

/**
 * The best index for a query, or undefined to scan the collection: the most leading
 * fields pinned by equality, then a range on the next, then a sort served in index
 * order (worth it alone only when a limit lets the read stop early). The sort is
 * served when its keys are the index's remaining fields in the index's directions, so
 * that ties fall back to natural order exactly as a sort of the scan would leave them.
 */
export function planQuery(
  indexes: Iterable<OrderedIndex>,
  filter: Document | undefined,
  sort: Document | undefined,
  limited: boolean,
): QueryPlan | undefined {
  const conditions = conditionsOf(filter);
  const sortKeys = Object.entries(sort ?? {});
  let best: QueryPlan | undefined;
  let bestScore = 0;
  for (const index of indexes) {
    if (!index.usable) continue;
    const equal: unknown[] = [];
    let next = 0;
    for (; next < index.fields.length; next++) {
      const c = conditions.get(index.fields[next]!);
      if (!c || !('equal' in c)) break;
      equal.push(c.equal);
    }
    const c = next < index.fields.length ? conditions.get(index.fields[next]!) : undefined;
    const range = c && 'range' in c ? c.range : undefined;
    const inSortOrder = sortKeys.length > 0 && servesSort(index, next, sortKeys);
    const score = equal.length * 4 + (range ? 2 : 0) + (inSortOrder ? 1 : 0);
    if (equal.length === 0 && !range && !(inSortOrder && limited)) continue;
    if (score > bestScore) {
      best = { index, bounds: range ? { equal, range } : { equal }, inSortOrder };
      bestScore = score;
    }
  }
  return best;
}

/**
 * The sort keys are the index fields from some k ≤ `pinned` to the end; those past the pinned ones in index
 * direction.
 */
function servesSort(index: OrderedIndex, pinned: number, sortKeys: [string, unknown][]): boolean {
  const k = index.fields.length - sortKeys.length;
  if (k < 0 || k > pinned) return false;
  return sortKeys.every(
    ([field, dir], j) =>
      index.fields[k + j] === field && (k + j < pinned ? dir === 1 || dir === -1 : dir === index.direction(k + j)),
  );
}
