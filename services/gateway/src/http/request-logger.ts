import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * `request.log` without a pino child per request. Fastify's default makes one for every
 * request to bind its id, and a child's bindings are serialised and redacted when it is
 * made: at thousands of requests a second that was a few per cent of the gateway's CPU
 * and garbage for the young generation, for lines that are rarely written. This one
 * writes through the service's logger and puts the bindings (the request id) into each
 * line it does write, which reads the same.
 */
class RequestLogger {
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  get level(): FastifyBaseLogger['level'] {
    return this.parent.level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.parent as FastifyBaseLogger & { isLevelEnabled(l: string): boolean }).isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.parent.child({ ...this.bindings, ...bindings }, options);
  }

  silent(): void {}
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const log = this.parent[level] as (...a: unknown[]) => void;
    const [first, ...rest] = args;
    // pino's own readings of the first argument: an error (its message is the line's), an object of fields, a message.
    if (first instanceof Error)
      log.call(this.parent, { ...this.bindings, err: first }, ...(rest.length ? rest : [first.message]));
    else if (first !== null && typeof first === 'object')
      log.call(this.parent, { ...this.bindings, ...first }, ...rest);
    else log.call(this.parent, this.bindings, ...args);
  }
}

/** Fastify's `childLoggerFactory`: a route with a log level or serialisers of its own still gets a real child. */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) =>
  options.level !== undefined || options.serializers !== undefined
    ? logger.child(bindings, options)
    : (new RequestLogger(logger, bindings) as unknown as FastifyBaseLogger);
