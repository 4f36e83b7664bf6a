// Types for deploy/healthcheck.mjs (plain JavaScript so the probe needs no tsx).
export declare const DEFAULT_PORTS: Readonly<
  Record<'gateway' | 'job-intake' | 'dispatcher' | 'poller' | 'asset', number>
>;
export declare function serviceFrom(env: Record<string, string | undefined>, pid1Args?: string[]): string | null;
export declare function probeUrl(
  service: string,
  env: Record<string, string | undefined>,
  path?: string,
): string | null;
