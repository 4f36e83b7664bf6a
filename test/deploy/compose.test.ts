import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES, type ServiceName } from '@pixsim/contracts';
import { loadConfig } from '@pixsim/kit';
import { readRepoFile, REPO_ROOT } from './manifests.js';
import { CONFIG_SCHEMAS, DRAIN_SECONDS, SERVICE_PORTS } from './service-env.js';

const COMPOSE = 'deploy/compose.yaml';
const compose = parse(readRepoFile(COMPOSE), { merge: true }) as {
  services: Record<string, any>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const OURS = [...SERVICES, 'simulator'] as const;

/** Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` under `shell` (empty by default: what a bare `docker compose up` gets). */
function interpolate(value: unknown, shell: Record<string, string> = {}): string {
  return String(value).replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_m, name: string, dflt?: string) => shell[name] || (dflt ?? ''),
  );
}

function envOf(name: string, shell: Record<string, string> = {}): Record<string, string> {
  const env = services[name]?.environment ?? {};
  if (Array.isArray(env)) throw new Error(`${name}: use the mapping form of environment`);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, shell)]));
}

const seconds = (d: string): number => {
  const m = /^(\d+)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`unreadable duration ${d}`);
  return (Number(m[1]) / (m[2] === 'ms' ? 1000 : 1)) * (m[2] === 'm' ? 60 : 1);
};

describe('deploy/compose.yaml', () => {
  it('when brought up, then the whole system is there: datastores, tracing, the simulator and the five services', () => {
    for (const name of ['redis', 'mongodb', 'nats', 'otel-collector', 'jaeger', ...OURS])
      expect(Object.keys(services), name).toContain(name);
  });

  it.each(OURS)(
    'when %s starts, then from the image of deploy/Dockerfile, as itself, with a health check and time to drain',
    (name) => {
      const s = services[name];
      expect(path.resolve(REPO_ROOT, 'deploy', s.build.context)).toBe(REPO_ROOT);
      expect(s.build.dockerfile).toBe('deploy/Dockerfile');
      expect(envOf(name).PIXSIM_SERVICE).toBe(name);
      expect(s.healthcheck?.test?.length, 'healthcheck').toBeGreaterThan(0);
      expect(s.healthcheck.disable).not.toBe(true);
      expect(s.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '/app/deploy/healthcheck.mjs']);
      expect(seconds(s.stop_grace_period)).toBeGreaterThan(DRAIN_SECONDS);
    },
  );

  it('when the one image is built, then every service of ours names the same tag', () => {
    expect(new Set(OURS.map((n) => services[n].image)).size).toBe(1);
  });

  it.each(SERVICES)('when %s starts, then its environment parses with its own config schema', (name: ServiceName) => {
    const env = envOf(name);
    expect(() => loadConfig(CONFIG_SCHEMAS[name], env)).not.toThrow();
    const { variable, port } = SERVICE_PORTS[name];
    expect(env[variable]).toBe(String(port));
    expect(env.OTEL_SERVICE_NAME).toBe(name);
    expect(env.CONSUMER_NAME, 'stable across restarts: a restarted service reads its own pending entries first').toBe(
      `${name}-1`,
    );
  });

  it.each(['dispatcher', 'poller'] as const)(
    'when the .env of the ARQ setup is given (--env-file), then %s gets its worker settings under the old names',
    (name) => {
      const shell = { ARQ_MAX_JOBS: '20', ARQ_MAX_TRIES: '5', ARQ_JOB_TIMEOUT: '7200', POLL_INTERVAL_S: '5' };
      const config = loadConfig(CONFIG_SCHEMAS[name], envOf(name, shell)) as Record<string, unknown>;
      expect(config).toMatchObject({
        MAX_JOBS: 20,
        JOB_TIMEOUT_S: 7200,
        ...(name === 'dispatcher' ? { MAX_TRIES: 5 } : { POLL_INTERVAL_S: 5 }),
      });
      // With nothing set, each service keeps its own defaults.
      expect(loadConfig(CONFIG_SCHEMAS[name], envOf(name)) as Record<string, unknown>).toMatchObject({
        MAX_JOBS: 10,
        JOB_TIMEOUT_S: 3600,
      });
    },
  );

  it.each(SERVICES)('when %s connects, then every address is a service of this file', (name) => {
    const env = envOf(name);
    for (const key of ['REDIS_URL', 'MONGODB_URI', 'NATS_URL', 'PIXVERSE_BASE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      expect(Object.keys(services), `${name} ${key}`).toContain(new URL(env[key]!).hostname);
    }
    const deps = Object.keys(services[name].depends_on ?? {});
    for (const d of ['redis', 'mongodb']) expect(deps, name).toContain(d);
    if (['dispatcher', 'poller'].includes(name)) expect(deps, `${name} calls the provider`).toContain('simulator');
    for (const d of deps) expect(Object.keys(services)).toContain(d);
  });

  it('when the services share secrets, then with one value each (the gateway seals what the dispatcher and poller open)', () => {
    const keys = ['gateway', 'dispatcher', 'poller'].map((n) => envOf(n).PIXSIM_SECRET_KEY);
    expect(new Set(keys).size).toBe(1);
    expect(envOf('seed-account').PIXSIM_ADMIN_TOKEN).toBe(envOf('gateway').PIXSIM_ADMIN_TOKEN);
  });

  it('when the datastores start, then Redis keeps an AOF and MongoDB is the one-node replica set the URI names', () => {
    expect(services.redis.command.join(' ')).toContain('--appendonly yes');
    const mongo = services.mongodb;
    const rs = mongo.command[mongo.command.indexOf('--replSet') + 1];
    expect(new URL(envOf('gateway').MONGODB_URI!).searchParams.get('replicaSet')).toBe(rs);
    expect(mongo.healthcheck.test.join(' ')).toContain(`rs.initiate({ _id: '${rs}'`);
    for (const name of ['redis', 'mongodb', 'nats']) expect(services[name].healthcheck?.test, name).toBeDefined();
  });

  it('when traces are sent, then the collector receives OTLP/HTTP where the services send it and exports to Jaeger', () => {
    const mount = services['otel-collector'].volumes[0].split(':');
    const config = parse(readRepoFile(path.join('deploy', mount[0]))) as any;
    expect(services['otel-collector'].command).toContain(`--config=${mount[1]}`);
    const port = new URL(envOf('gateway').OTEL_EXPORTER_OTLP_ENDPOINT!).port;
    expect(config.receivers.otlp.protocols.http.endpoint).toMatch(new RegExp(`:${port}$`));
    const exporters: string[] = config.service.pipelines.traces.exporters;
    const jaeger = exporters.map((e) => config.exporters[e]).find((e: any) => e?.endpoint?.startsWith('jaeger:'));
    expect(jaeger, 'an exporter to the jaeger service').toBeDefined();
    expect(services.jaeger.ports.join(' ')).toContain('16686');
  });

  it('when the stack is fresh, then a one-shot seeds the account the simulator was started with', () => {
    const sim = services.simulator.command.map(interpolate);
    const seed = services['seed-account'];
    expect(seed.command).toEqual(['seed-account']);
    expect(seed.restart).toBe('no');
    expect(envOf('seed-account').SIM_ACCOUNT).toBe(sim[sim.indexOf('--account') + 1]);
    expect(seed.depends_on.gateway.condition).toBe('service_healthy');
    expect(new URL(envOf('seed-account').GATEWAY_URL!).hostname).toBe('gateway');
    expect(envOf('dispatcher').PIXVERSE_BASE_URL).toBe(`http://simulator:${envOf('simulator').SIM_PORT}`);
  });
});
