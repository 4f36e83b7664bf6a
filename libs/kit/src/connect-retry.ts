import type { Logger } from 'pino';
import { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
import { DependencyRejectedError, DependencyUnreachableError, errorMessage } from './errors.js';

export interface ConnectRetryOptions {
  /** `mongodb`, `nats`, … */
  dependency: string;
  /** Where, with any password masked. */
  target: string;
  logger: Logger;
  /** Attempts before giving up (10); Infinity retries until `signal` aborts. */
  attempts?: number | undefined;
  signal?: AbortSignal | undefined;
  /** 250 ms doubling up to 5 s by default. */
  backoff?: BackoffOptions | undefined;
  /** What the operator should check next for this error. */
  hint: (err: unknown) => string;
  /** Errors that retrying cannot fix (bad credentials, malformed URI). */
  isFatal?: (err: unknown) => boolean;
}

/**
 * Startup connection loop shared by MongoDB and NATS: exponential backoff with
 * jitter, one warn line per failed attempt saying what to check next, a named
 * error when it gives up.
 */
export async function connectWithRetry<T>(
  opts: ConnectRetryOptions,
  connect: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const { dependency, target, logger, attempts = 10, signal, backoff = { initialMs: 250, maxMs: 5_000 } } = opts;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (signal?.aborted) break;
    try {
      const value = await connect(signal);
      if (attempt > 1) logger.info({ dependency, target, attempt }, `${dependency} reachable at ${target}`);
      return value;
    } catch (err) {
      lastError = err;
      if (signal?.aborted) break;
      if (opts.isFatal?.(err)) {
        throw new DependencyRejectedError(
          dependency,
          `${dependency} at ${target} refused the connection: ${errorMessage(err)}. ${opts.hint(err)}`,
          { cause: err },
        );
      }
      if (attempt === attempts) break;
      const delayMs = backoffDelay(attempt, backoff);
      logger.warn(
        { dependency, target, attempt, attempts, delayMs, reason: errorMessage(err) },
        `${dependency} not reachable at ${target} (attempt ${attempt}/${attempts}): ${errorMessage(err)}; ` +
          `retrying in ${delayMs} ms. ${opts.hint(err)}`,
      );
      try {
        await sleep(delayMs, signal);
      } catch {
        break;
      }
    }
  }
  throw giveUp(opts, attempts, lastError);
}

function giveUp(opts: ConnectRetryOptions, attempts: number, lastError: unknown): DependencyUnreachableError {
  const { dependency, target, signal } = opts;
  const why = lastError === undefined ? '' : `: ${errorMessage(lastError)}`;
  const message = signal?.aborted
    ? `gave up connecting to ${dependency} at ${target}: aborted${why}`
    : `${dependency} at ${target} is not reachable after ${attempts} attempt${attempts === 1 ? '' : 's'}${why}. ` +
      (lastError === undefined ? '' : opts.hint(lastError));
  const err = new DependencyUnreachableError(dependency, attempts, message.trim(), { cause: lastError });
  opts.logger.error({ dependency, target, err }, err.message);
  return err;
}
