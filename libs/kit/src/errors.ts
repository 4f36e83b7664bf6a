import { PixsimError } from '@pixsim/contracts';

/**
 * Kit's errors are PixsimErrors (stable `code`, `retryable`, `cause`), so
 * `isTransient()` and the gateway's error boundary treat them like any other.
 */
export interface ConfigIssue {
  /** The environment variable at fault, e.g. `MAX_JOBS`. */
  variable: string;
  /** Why, e.g. `expected a positive integer, got "ten"`. */
  message: string;
}

/** The environment does not satisfy the service's schema. Never retryable: fix the env. */
export class ConfigError extends PixsimError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      'CONFIG_INVALID',
      `invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n'),
      { retryable: false, details: issues },
    );
  }
}

/** A dependency (MongoDB, NATS, …) stayed unreachable for every connection attempt. */
export class DependencyUnreachableError extends PixsimError {
  constructor(
    readonly dependency: string,
    readonly attempts: number,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEPENDENCY_UNREACHABLE', message, { retryable: true, cause: options.cause });
  }
}

/** A dependency answered but refused us for a reason retrying cannot fix (bad credentials, bad URI). */
export class DependencyRejectedError extends PixsimError {
  constructor(
    readonly dependency: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super('DEPENDENCY_REJECTED', message, { retryable: false, cause: options.cause });
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
