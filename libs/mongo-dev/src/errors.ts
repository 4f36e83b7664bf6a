import type { Document } from 'bson';

/** A command failure answered to the client as `{ ok: 0, code, codeName, errmsg }`. */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly extra: Document;

  constructor(code: number, codeName: string, message: string, extra: Document = {}) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.codeName = codeName;
    this.extra = extra;
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export const badValue = (message: string): CommandError => new CommandError(2, 'BadValue', message);

export const notFound = (ns: string): CommandError =>
  new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${ns}`);

/** Errors thrown by mingo (unknown operator, bad argument) become BadValue, like a parse error in mongod. */
export function toCommandError(err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return badValue(message);
}
