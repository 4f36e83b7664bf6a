import { StreamOverBudgetError, type Publisher } from '@pixsim/bus';
import { SchemaError } from '@pixsim/contracts';
import { DependencyDownError, HttpError } from './http/errors.js';
import type { Publish } from './ports.js';

/**
 * The gateway's publish: bounded in time, and every failure but a schema bug is
 * "Redis is down" (503), so a request never hangs on a broken connection. The
 * gateway's publisher client has no offline queue, so a command that failed was
 * not sent later behind the client's back.
 */
export function createSafePublish(publisher: Publisher, timeoutMs: number): Publish {
  return async (input) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`publish of ${input.type} took over ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([publisher.publish(input), timeout]);
    } catch (err) {
      if (err instanceof SchemaError) throw err; // our bug, not the dependency's: a 500
      if (err instanceof StreamOverBudgetError) {
        // The consumers are behind: busy, not down. Nothing was written.
        throw new HttpError(
          503,
          err.code,
          `the system is busy (${input.type} backlog); retry in ${err.retryAfterS} s`,
          {
            cause: err,
            retryable: true,
            headers: { 'retry-after': String(err.retryAfterS) },
          },
        );
      }
      throw new DependencyDownError('redis', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  };
}
