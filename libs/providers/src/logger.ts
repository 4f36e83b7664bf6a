/** The pino-compatible subset this lib logs through. */
export interface ProviderLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentProviderLogger: ProviderLogger = { debug() {}, info() {}, warn() {}, error() {} };
