// What each compiled service loads at start: a package imported at the top of the graph is
// resident in every replica for its whole life, used or not.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '@pixsim/contracts';
import { compiledBuild } from '../harness/compiled.js';

/** Packages a file imports statically, following the build's own chunks (dynamic imports are not followed). */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:^|\n)\s*(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?["']([^"']+)["']/g)) {
      if (spec!.startsWith('.')) walk(path.resolve(path.dirname(file), spec!));
      else if (!spec!.startsWith('node:'))
        packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
    }
  };
  walk(entry);
  return packages;
}

// From the TypeScript sources (PIXSIM_TEST_FROM_SOURCE=1) there is no build to read.
describe.skipIf(process.env.PIXSIM_TEST_FROM_SOURCE === '1')('what each service loads at start', () => {
  let loads: Record<string, Set<string>>;
  beforeAll(async () => {
    const dist = (await compiledBuild())!;
    loads = Object.fromEntries(SERVICES.map((s) => [s, staticPackages(path.join(dist, 'services', s, 'main.js'))]));
  }, 120_000);

  it('when a service starts, then it loads its database, bus and HTTP libraries (the walk sees the graph)', () => {
    for (const s of SERVICES)
      expect([...loads[s]!], s).toEqual(expect.arrayContaining(['mongoose', 'ioredis', 'fastify', 'zod']));
  });

  it('when no exporter is configured, then no service has loaded the OTLP exporter or the instrumentation registry', () => {
    for (const s of SERVICES) {
      expect(loads[s]!.has('@opentelemetry/exporter-trace-otlp-http'), s).toBe(false);
      expect(loads[s]!.has('@opentelemetry/instrumentation'), s).toBe(false);
    }
  });

  it('when a worker starts, then it has not loaded the NATS client, which only the gateway uses', () => {
    for (const s of SERVICES.filter((name) => name !== 'gateway')) expect(loads[s]!.has('nats'), s).toBe(false);
  });

  it('when the gateway, job-intake or asset starts, then it has not loaded the provider HTTP client or its breaker', () => {
    // The gateway checks and prices requests with the providers' rules, and loads its callback
    // client only when callbacks are on.
    for (const s of ['gateway', 'job-intake', 'asset']) {
      expect(loads[s]!.has('undici'), s).toBe(false);
      expect(loads[s]!.has('opossum'), s).toBe(false);
    }
    // The services that call the provider still do.
    expect(loads.dispatcher!.has('undici')).toBe(true);
    expect(loads.poller!.has('opossum')).toBe(true);
  });
});
