import { StreamOverBudgetError, type Publisher, type PublishInput, type PublishResult } from '@pixsim/bus';
import { SchemaError } from '@pixsim/contracts';
import { createDeadlines } from './deadlines.js';
import { DependencyDownError, HttpError } from './http/errors.js';
import type { Publish } from './ports.js';

/**
 * The gateway's publish: bounded in time, and every failure but a schema bug is
 * "Redis is down" (503), so a request never hangs on a broken connection. The
 * gateway's publisher client has no offline queue, so a command that failed was
 * not sent later behind the client's back.
 */
export function createSafePublish(publisher: Publisher, timeoutMs: number): Publish {
  const bounded = boundedInTime(publisher, timeoutMs);
  return async (input) => {
    try {
      await bounded(input);
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
    }
  };
}

/** Publishes that fail after `timeoutMs`, their deadlines kept by one sweep (createDeadlines). */
function boundedInTime(publisher: Publisher, timeoutMs: number): (input: PublishInput) => Promise<PublishResult> {
  const deadlines = createDeadlines<(err: Error) => void>(timeoutMs, (fail) =>
    fail(new Error(`a publish took over ${timeoutMs} ms`)),
  );
  return (input) =>
    new Promise<PublishResult>((resolve, reject) => {
      deadlines.start(reject);
      publisher.publish(input).then(
        (result) => {
          deadlines.settle(reject);
          resolve(result);
        },
        (err: unknown) => {
          deadlines.settle(reject);
          reject(err);
        },
      );
    });
}
