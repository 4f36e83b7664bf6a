import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@pixsim/contracts';
import {
  DEFAULT_NODE_IMPORTS,
  mongoDevSpec,
  serviceNodeFlags,
  scriptsFor,
  serviceSpec,
  simulatorSpec,
} from '../src/supervisor/process-specs.js';
import { REPO_ROOT } from '../src/supervisor/start-system.js';

const require = createRequire(import.meta.url);

const spec = (scripts: ReturnType<typeof scriptsFor>, name: (typeof SERVICES)[number]) =>
  serviceSpec({
    name,
    replica: 1,
    replicas: 1,
    repoRoot: '/repo',
    baseEnv: {},
    shared: {},
    port: 9101,
    adminToken: 't',
    jwtSecret: 's',
    mongoDbPrefix: undefined,
    overrides: {},
    entry: scripts.service(name),
    nodeFlags: scripts.nodeFlags(name),
    nodeImports: scripts.nodeImports,
  });

describe('what each process runs', () => {
  it.each(SERVICES)(
    'when the compiled build is asked for, then %s runs its main.js with the V8 flags and the compiled telemetry ' +
      'register, no tsx',
    (name) => {
      const s = spec(scriptsFor('/repo', 'dist'), name);
      expect(s.command).toBe(process.execPath);
      expect(s.args).toEqual([
        ...serviceNodeFlags(name),
        '--import',
        '/repo/dist/telemetry-register.js',
        `/repo/dist/services/${name}/main.js`,
      ]);
      // The gateway's requests and the poller's status calls want a larger young generation than the workers' events.
      const semiSpaceMiB: Partial<Record<string, number>> = { gateway: 8, poller: 16 };
      expect(s.args[0]).toBe(`--max-semi-space-size=${semiSpaceMiB[name] ?? 2}`);
      // A burst's garbage is collected before it doubles the heap.
      expect(s.args[1]).toBe('--heap-growing-percent=30');
      // undici's WebAssembly parser stays on the baseline compiler, but in the poller.
      expect(s.args.includes('--liftoff-only')).toBe(name !== 'poller');
      // Source maps only when NODE_OPTIONS asks: parsing them costs every process memory.
      expect(s.args).not.toContain('--enable-source-maps');
    },
  );

  it("when a process with the dispatcher's flags parses thousands of HTTP responses through undici, " +
    'then V8 never holds the optimising compiler’s tens of MiB for the parser', async () => {
    // A real undici client against a real server, in a node process with the service's flags.
    // Without --liftoff-only, V8's malloc peak passes 35 MiB as TurboFan recompiles llhttp
    // (Node 20: 39 against 5; Node 24: 35 against 18).
    const script = `
        const http = require('node:http');
        const v8 = require('node:v8');
        const { Pool } = require(${JSON.stringify(require.resolve('undici'))});
        const server = http.createServer((_q, r) => r.end(JSON.stringify({ ok: true, pad: 'x'.repeat(300) })));
        server.listen(0, '127.0.0.1', async () => {
          const pool = new Pool('http://127.0.0.1:' + server.address().port, { connections: 4 });
          for (let i = 0; i < 3000; i += 50)
            await Promise.all(Array.from({ length: 50 }, () => pool.request({ path: '/', method: 'GET' }).then((r) => r.body.json())));
          await new Promise((r) => setTimeout(r, 500)); // background compile jobs finish
          process.stdout.write(String(v8.getHeapStatistics().peak_malloced_memory));
          process.exit(0);
        });`;
    const r = spawnSync(process.execPath, [...serviceNodeFlags('dispatcher'), '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(Number(r.stdout) / 1_048_576).toBeLessThan(25);
  }, 40_000);

  it('when the compiled build is asked for, then mongo-dev and the simulator run from it too', () => {
    const scripts = scriptsFor('/repo', '/elsewhere/dist');
    expect(mongoDevSpec('/repo', {}, 1, null, scripts.mongoDev).args[0]).toBe('/elsewhere/dist/mongo-dev.js');
    expect(simulatorSpec('/repo', {}, 1, { accounts: [], script: scripts.simulator }).args[0]).toBe(
      '/elsewhere/dist/pixverse-sim.js',
    );
  });

  it('when no build is named, then the TypeScript sources run through tsx, as before', () => {
    const scripts = scriptsFor('/repo', undefined);
    expect(spec(scripts, 'poller').args).toEqual([
      ...DEFAULT_NODE_IMPORTS.flatMap((m) => ['--import', m]),
      '/repo/services/poller/src/main.ts',
    ]);
    expect(mongoDevSpec('/repo', {}, 1, null, scripts.mongoDev).args[0]).toBe('/repo/libs/mongo-dev/bin/mongo-dev.js');
  });

  it('when the build lists its entries, then every path the supervisor runs from dist/ is one of them', async () => {
    const { ENTRIES } = await import('../../../scripts/build.js');
    const scripts = scriptsFor(REPO_ROOT, 'dist');
    const dist = path.join(REPO_ROOT, 'dist');
    const entry = (file: string) => path.relative(dist, file).replace(/\.js$/, '');
    const run = [...SERVICES.map(scripts.service), ...scripts.nodeImports, scripts.mongoDev, scripts.simulator];
    for (const file of run) {
      expect(Object.keys(ENTRIES), file).toContain(entry(file));
      expect(existsSync(path.join(REPO_ROOT, ENTRIES[entry(file)]!)), ENTRIES[entry(file)]).toBe(true);
    }
  });
});
