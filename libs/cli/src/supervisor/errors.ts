/** Named failures of the supervisor, each with a stable code and a message that says what to do next. */
export class SupervisorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Redis or NATS does not answer: the message carries the command that starts it. */
export class InfraUnavailableError extends SupervisorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INFRA_UNAVAILABLE', message, options);
  }
}

/** A process did not become ready in time, or gave up (e.g. exit 78, a bad environment). */
export class ProcessStartError extends SupervisorError {
  constructor(
    readonly process: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('PROCESS_START_FAILED', message, options);
  }
}

/** The gateway answered the account seeding with an error. */
export class SeedError extends SupervisorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SEED_FAILED', message, options);
  }
}
