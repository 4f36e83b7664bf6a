import { StreamOverBudgetError, type Publisher, type PublishInput, type PublishResult } from '@pixsim/bus';
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

/**
 * Publishes that fail after `timeoutMs`. One sweep serves all of them, instead of a timer
 * and a race each (a measurable share of a busy gateway's garbage): publishes in flight are
 * kept in the order they started, so a sweep stops at the first one not yet due, and the
 * sweep runs only while some are in flight. A deadline is kept to within a tenth of
 * `timeoutMs` (at most a second) late.
 */
function boundedInTime(publisher: Publisher, timeoutMs: number): (input: PublishInput) => Promise<PublishResult> {
  const due = new Map<(err: Error) => void, number>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [fail, at] of due) {
      if (at > now) break;
      due.delete(fail);
      fail(new Error(`a publish took over ${timeoutMs} ms`));
    }
    if (due.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  const tickMs = Math.min(1_000, Math.max(5, Math.floor(timeoutMs / 10)));
  return (input) =>
    new Promise<PublishResult>((resolve, reject) => {
      due.set(reject, Date.now() + timeoutMs);
      if (!sweeper) {
        sweeper = setInterval(sweep, tickMs);
        sweeper.unref();
      }
      publisher.publish(input).then(
        (result) => {
          due.delete(reject);
          resolve(result);
        },
        (err: unknown) => {
          due.delete(reject);
          reject(err);
        },
      );
    });
}
