import type { Connection, Model, Schema } from 'mongoose';

/** E11000: a unique index (here: `_id`) refused the write because someone else wrote first. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string } | null;
  return e?.code === 11000 || e?.code === 11001;
}

/** The connection's model of that name, compiled once (a second store on one connection reuses it). */
export function modelOn<T>(conn: Connection, name: string, schema: Schema): Model<T> {
  return (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
}
