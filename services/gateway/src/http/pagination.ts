import { z } from 'zod';
import { ValidationFailedError } from './errors.js';

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

/** Where the previous page ended: lists are ordered by (created_at desc, id desc). */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Opaque to clients: base64url of [created_at, id]. Keyset rather than offset,
 * so jobs added while a client pages never shift or repeat what it sees.
 */
function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

const cursorTuple = z.tuple([z.iso.datetime(), z.string().min(1).max(128)]);

export function decodeCursor(raw: string): PageCursor {
  try {
    const [at, id] = cursorTuple.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return { createdAt: new Date(at), id };
  } catch {
    throw new ValidationFailedError([{ field: 'cursor', message: 'not a cursor this API returned' }]);
  }
}

/** Query-string fields every list shares. */
export const pageQueryShape = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z.string().min(1).max(512).optional(),
};

/** The MongoDB filter for "after the cursor" in (created_at desc, _id desc) order. */
export function afterCursor(cursor: PageCursor | undefined): Record<string, unknown> {
  if (!cursor) return {};
  return {
    $or: [{ created_at: { $lt: cursor.createdAt } }, { created_at: cursor.createdAt, _id: { $lt: cursor.id } }],
  };
}

export const NEWEST_FIRST = { created_at: -1, _id: -1 } as const;

/** Rows were fetched with limit + 1: the extra one says whether a next page exists. */
export function toPage<R extends { _id: string; created_at: Date | null }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const more = rows.length > limit && last?.created_at;
  return {
    items: items.map(map),
    next_cursor: more ? encodeCursor({ createdAt: last.created_at!, id: last._id }) : null,
  };
}

/** One page of a list: the query's cursor decoded, `limit + 1` rows fetched, each row mapped for the answer. */
export async function listPage<R extends { _id: string; created_at: Date | null }, T>(
  query: { limit: number; cursor?: string },
  fetch: (range: { limit: number; after?: PageCursor }) => Promise<R[]>,
  map: (row: R) => T,
): Promise<Page<T>> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  return toPage(await fetch({ limit: query.limit, after }), query.limit, map);
}
