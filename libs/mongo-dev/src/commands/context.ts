import type { Document } from 'bson';
import type { Cursors } from '../cursors.js';
import { badValue } from '../errors.js';
import type { Store } from '../store.js';

export interface CommandContext {
  store: Store;
  cursors: Cursors;
  /** The `$db` of the request. */
  db: string;
  connectionId: number;
}

/** Handlers are synchronous on purpose: a command never interleaves with another, so each is atomic. */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;

/** The collection named by the command's first field (`{ find: 'users', ... }`). */
export function collectionName(cmd: Document): string {
  const [name] = Object.keys(cmd);
  const value = name === undefined ? undefined : cmd[name];
  if (typeof value !== 'string' || value.length === 0)
    throw badValue(`collection name has invalid type ${typeof value}`);
  return value;
}

export const optionalNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
