import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICES, type ServiceName } from '@pixsim/contracts';
import { loadConfig } from '@pixsim/kit';
import { readRepoFile, REPO_ROOT } from './manifests.js';
import { CONFIG_SCHEMAS, DRAIN_MS, GATEWAY_PORT, SERVICE_PORTS } from './service-env.js';
import { generateSealingKeyPair, parsePrivateKeys, publicKeyOf } from '@pixsim/credentials';

const COMPOSE = 'deploy/compose.yaml';
const compose = parse(readRepoFile(COMPOSE), { merge: true }) as {
  services: Record<string, any>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const OURS = [...SERVICES, 'simulator'] as const;

const TEST_PAIR = generateSealingKeyPair('k1');

/** What deploy/compose.env.example asks the operator to fill (hex, as the file suggests). */
const REQUIRED_SECRETS = Object.fromEntries(
  readRepoFile('deploy/compose.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=$/.test(l))
    .map((l) => [
      l.slice(0, -1),
      l.startsWith('PIXSIM_SEALING_PUBLIC_KEY')
        ? TEST_PAIR.publicKey
        : l.startsWith('PIXSIM_SEALING_PRIVATE_KEYS')
          ? TEST_PAIR.privateKey
          : 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    ]),
);

class MissingVariable extends Error {}

/**
 * Compose's `${VAR:-default}` / `${VAR-default}` / `${VAR}` / `${VAR:?message}` under `shell`
 * (the filled .env by default). A `:?` variable that is unset stops compose with its message.
 */
function interpolate(value: unknown, shell: Record<string, string> = REQUIRED_SECRETS): string {
  return String(value).replace(
    /\$\{([A-Z0-9_]+)(?:(:?-|:\?)([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      if (op === ':?') {
        if (!shell[name]) throw new MissingVariable(arg || `${name} is not set`);
        return shell[name]!;
      }
      return shell[name] || (arg ?? '');
    },
  );
}

function envOf(name: string, shell: Record<string, string> = REQUIRED_SECRETS): Record<string, string> {
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
      if ((SERVICES as readonly string[]).includes(name)) {
        const config = loadConfig(CONFIG_SCHEMAS[name as ServiceName], envOf(name));
        expect(seconds(s.stop_grace_period)).toBeGreaterThan(DRAIN_MS[name as ServiceName](config) / 1000);
      }
    },
  );

  it('when the one image is built, then every service of ours names the same tag', () => {
    expect(new Set(OURS.map((n) => services[n].image)).size).toBe(1);
  });

  it.each(SERVICES)('when %s starts, then its environment parses with its own config schema', (name: ServiceName) => {
    const env = envOf(name);
    expect(() => loadConfig(CONFIG_SCHEMAS[name], env)).not.toThrow();
    // Compose has no probes from outside: each service answers where the supervisor would ask it.
    const { variable, port } = name === 'gateway' ? { variable: 'PORT', port: GATEWAY_PORT } : SERVICE_PORTS[name];
    expect(env[variable]).toBe(String(port));
    expect(env.OTEL_SERVICE_NAME).toBe(name);
    expect(env.CONSUMER_NAME, 'stable across restarts: a restarted service reads its own pending entries first').toBe(
      `${name}-1`,
    );
  });

  it.each(['dispatcher', 'poller'] as const)(
    'when the .env of the ARQ setup is given (--env-file), then %s gets its worker settings under the old names',
    (name) => {
      const shell = {
        ...REQUIRED_SECRETS,
        ARQ_MAX_JOBS: '20',
        ARQ_MAX_TRIES: '5',
        ARQ_JOB_TIMEOUT: '7200',
        POLL_INTERVAL_S: '5',
      };
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

  it('when the services share secrets, then the gateway seals to the public key of the private key the dispatcher and poller open with, and holds no private key', () => {
    const privates = ['dispatcher', 'poller'].map((n) => envOf(n).PIXSIM_SEALING_PRIVATE_KEYS);
    expect(new Set(privates).size).toBe(1);
    expect(envOf('gateway').PIXSIM_SEALING_PUBLIC_KEY).toBe(publicKeyOf(parsePrivateKeys(privates[0]!)));
    expect(envOf('gateway').PIXSIM_SEALING_PRIVATE_KEYS).toBeUndefined();
    expect(envOf('gateway').PIXSIM_SECRET_KEY).toBeUndefined();
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

  it('when a secret is missing, then compose refuses to start, saying which and how to set it; none has a default', () => {
    expect(Object.keys(REQUIRED_SECRETS)).toEqual(
      expect.arrayContaining(['PIXSIM_ADMIN_TOKEN', 'REDIS_PASSWORD', 'NATS_PASSWORD', 'MONGO_ROOT_PASSWORD']),
    );
    for (const missing of Object.keys(REQUIRED_SECRETS)) {
      const shell = { ...REQUIRED_SECRETS, [missing]: '' };
      const refusals: string[] = [];
      for (const name of Object.keys(services)) {
        try {
          envOf(name, shell);
          JSON.stringify(services[name].command ?? []).replace(/\$\{[^}]+\}/g, (m) => interpolate(m, shell));
        } catch (err) {
          if (err instanceof MissingVariable) refusals.push(err.message);
          else throw err;
        }
      }
      expect(refusals.length, `${missing}: compose refuses`).toBeGreaterThan(0);
      expect(refusals[0], missing).toContain(missing);
    }
    expect(readRepoFile(COMPOSE)).not.toMatch(/PIXSIM_ADMIN_TOKEN:-/);
    expect(envOf('gateway').REGISTRATION).toBe('closed');
    expect(loadConfig(CONFIG_SCHEMAS.gateway, envOf('gateway'))).toMatchObject({ REGISTRATION_ENABLED: false });
  });

  it('when ports are published, then on 127.0.0.1 unless PIXSIM_BIND opts in, Jaeger included', () => {
    const published = Object.entries(services).flatMap(([n, s]) => (s.ports ?? []).map((p: string) => [n, p]));
    expect(published.map(([n]) => n).sort()).toEqual(['gateway', 'jaeger']);
    for (const [name, p] of published) {
      expect(interpolate(p, REQUIRED_SECRETS), name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      expect(interpolate(p, { ...REQUIRED_SECRETS, PIXSIM_BIND: '0.0.0.0' }), name).toMatch(/^0\.0\.0\.0:/);
    }
  });

  it('when the datastores start, then each requires credentials, Redis refuses writes at its ceiling, and each service logs in to MongoDB as itself, in its own database', () => {
    const redis = services.redis.command.map((c: string) => interpolate(c));
    expect(redis[redis.indexOf('--requirepass') + 1]).toBe(REQUIRED_SECRETS.REDIS_PASSWORD);
    expect(redis[redis.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(redis[redis.indexOf('--maxmemory') + 1]).toMatch(/^\d+[kmg]b$/);
    const nats = services.nats.command.map((c: string) => interpolate(c));
    expect(nats[nats.indexOf('--pass') + 1]).toBe(REQUIRED_SECRETS.NATS_PASSWORD);
    expect(services.mongodb.command).toContain('--keyFile');
    expect(envOf('mongodb').MONGO_INITDB_ROOT_PASSWORD).toBe(REQUIRED_SECRETS.MONGO_ROOT_PASSWORD);
    const users = readRepoFile('k8s/overlays/dev/init/users.js');
    for (const name of SERVICES) {
      const env = envOf(name);
      expect(new URL(env.REDIS_URL!).password, `${name} Redis password`).toBe(REQUIRED_SECRETS.REDIS_PASSWORD);
      const mongo = new URL(env.MONGODB_URI!);
      expect(mongo.username, name).toBe(name);
      expect(mongo.pathname, name).toBe(`/pixsim-${name}`);
      expect(mongo.searchParams.get('authSource'), name).toBe(`pixsim-${name}`);
      expect(envOf('mongodb')[`MONGO_PASSWORD_${name.toUpperCase().replace('-', '_')}`], name).toBe(
        decodeURIComponent(mongo.password),
      );
      if (env.NATS_URL) expect(new URL(env.NATS_URL).password, `${name} NATS password`).toBeTruthy();
    }
    expect(users).toContain("roles: [{ role: 'readWrite', db: database }]");
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
