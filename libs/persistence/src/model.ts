import type { Connection, Model, Schema, mongo } from 'mongoose';

/** The driver's collection of records `T` (the driver wants an indexable type; records are interfaces). */
export type TypedCollection<T> = mongo.Collection<T & mongo.Document>;

/**
 * A collection's one declaration: its model name and schema (fields and indexes). A
 * store gets its model with `def.model(conn)` (compiled once per connection, typed),
 * and the migration builds the schema's indexes from the same declaration.
 */
export interface ModelDef<T> {
  readonly name: string;
  readonly schema: Schema<T>;
  /** The connection's model, registered on first use; a second store on the connection reuses it. */
  model(conn: Connection): Model<T>;
  /** The driver's collection behind the model, typed by the record (for hot writes that skip mongoose's casting). */
  collection(conn: Connection): TypedCollection<T>;
}

export function defineModel<T>(name: string, schema: Schema<T>): ModelDef<T> {
  const model = (conn: Connection): Model<T> =>
    (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
  return {
    name,
    schema,
    model,
    // mongoose's Collection wraps the driver's (it buffers until connected) and forwards
    // its methods, so the driver's typings describe it: this is the one place that says so.
    collection: (conn) => model(conn).collection as unknown as TypedCollection<T>,
  };
}

/** Options for reads that must see this service's own writes, whatever the connection's default. */
export const PRIMARY = { readPreference: 'primary' } as const;

/** findOneAndUpdate returning the document as written, plain (no mongoose document). */
export const AFTER = { returnDocument: 'after', lean: true } as const;
