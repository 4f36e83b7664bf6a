/**
 * Named errors with stable codes (as BullMQ's UnrecoverableError and undici's
 * UND_ERR_*). Retryability lives in the type, so callers branch on `retryable`
 * rather than on message text.
 */
export class PixsimError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(code: string, message: string, opts: { retryable?: boolean; cause?: unknown; details?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}

/** A transient infrastructure failure: try again later, the input is fine. */
export class TransientError extends PixsimError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(opts.code ?? 'TRANSIENT', message, { retryable: true, cause: opts.cause });
  }
}

/** The input can never succeed: do not retry, dead-letter it with the reason. */
export class PermanentError extends PixsimError {
  constructor(message: string, opts: { code?: string; cause?: unknown; details?: unknown } = {}) {
    super(opts.code ?? 'PERMANENT', message, { retryable: false, cause: opts.cause, details: opts.details });
  }
}

/** An entry or payload failed its schema. */
export class SchemaError extends PermanentError {
  constructor(message: string, details?: unknown) {
    super(message, { code: 'SCHEMA_INVALID', details });
  }
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const TRANSIENT_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError',
]);

/**
 * True when an error says "the infrastructure hiccupped", whichever library
 * threw it: our own TransientError, a Node socket error, a MongoDB driver
 * network error, or an ioredis connection error.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof PixsimError) return err.retryable;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) return true;
  if (TRANSIENT_ERROR_NAMES.has(err.name)) return true;
  if (/Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== err && isTransient(err.cause);
}

export function isPermanent(err: unknown): boolean {
  return err instanceof PixsimError && !err.retryable;
}
