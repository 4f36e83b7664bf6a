/** The server codes of a unique-index refusal: 11000 today, 11001 from older servers and some bulk paths. */
const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

interface ServerErrorShape {
  code?: unknown;
  keyPattern?: Record<string, unknown>;
  keyValue?: Record<string, unknown>;
  message?: unknown;
}

/**
 * True when a write was refused by a unique index. With `field`, only when that index
 * covers the field: a collection with two unique keys (an asset's job_id and asset_id)
 * must know which one it collided on before it reads "the winner" by that key.
 */
export function isDuplicateKey(err: unknown, field?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as ServerErrorShape;
  if (!DUPLICATE_KEY_CODES.has(e.code as number)) return false;
  if (field === undefined) return true;
  const keys = e.keyPattern ?? e.keyValue;
  if (keys) return Object.hasOwn(keys, field);
  // No structured key (very old servers): the message names the index, `<field>_1` by default.
  return typeof e.message === 'string' && new RegExp(`index: ${escapeRegExp(field)}_`).test(e.message);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
