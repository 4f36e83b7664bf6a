/**
 * The one logger port: the pino-compatible subset libraries and handlers log through, so
 * they take a pino logger, a test's recorder or `silentLog` alike. A part that logs at one
 * or two levels asks for `Pick<LogPort, 'warn'>` and the like.
 */
export interface LogPort {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: LogPort = { debug() {}, info() {}, warn() {}, error() {} };
