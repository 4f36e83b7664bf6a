import { describeIssues, PixsimError, type FieldIssue } from '@pixsim/contracts';

/**
 * An error the HTTP boundary turns into `{ error: { code, message, details? } }`
 * with `status`. Anything that is not an HttpError (nor one of fastify's own 4xx)
 * is a 500 whose message never reaches the client.
 */
export class HttpError extends PixsimError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { details?: unknown; cause?: unknown; headers?: Record<string, string>; retryable?: boolean } = {},
  ) {
    super(code, message, { details: opts.details, cause: opts.cause, retryable: opts.retryable ?? false });
    this.status = status;
    this.headers = opts.headers ?? {};
  }
}

/** 400: the request breaks the wire contract (missing field, wrong type, bad query). */
export class ValidationFailedError extends HttpError {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(400, 'VALIDATION_FAILED', describeIssues(issues), { details: issues });
  }
}

/** 400: the request is well formed but breaks the provider's limits (model, prompt length …). */
export class InvalidParamsError extends HttpError {
  constructor(readonly issues: readonly FieldIssue[]) {
    super(400, 'INVALID_PARAMS', describeIssues(issues), { details: issues });
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'a valid bearer token is required') {
    super(401, 'UNAUTHORIZED', message, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'not allowed') {
    super(403, 'FORBIDDEN', message);
  }
}

/** 404, also for what exists but belongs to someone else: never reveal that it exists. */
export class NotFoundError extends HttpError {
  constructor(what: string, id: string) {
    super(404, 'NOT_FOUND', `${what} ${id} not found`);
  }
}

export const RETRY_AFTER_S = 5;

/** 503: a dependency (Redis, MongoDB) did not answer; the client may retry after a while. */
export class DependencyDownError extends HttpError {
  constructor(
    readonly dependency: string,
    opts: { cause?: unknown } = {},
  ) {
    super(503, 'DEPENDENCY_DOWN', `${dependency} is not reachable; retry in a few seconds`, {
      cause: opts.cause,
      retryable: true,
      headers: { 'retry-after': String(RETRY_AFTER_S) },
    });
  }
}

/** 409: the request conflicts with the current state (a taken email, a terminal job, a reused key). */
export class ConflictError extends HttpError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 429: too many requests from this caller; `Retry-After` says when to come back. */
export class RateLimitedError extends HttpError {
  constructor(retryAfterS: number) {
    super(429, 'RATE_LIMITED', `too many requests; retry in ${retryAfterS} s`, {
      headers: { 'retry-after': String(retryAfterS) },
    });
  }
}
