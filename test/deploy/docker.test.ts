import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '@pixsim/contracts';
import { serviceNodeFlags } from '@pixsim/cli';
import { ENTRIES } from '../../scripts/build.js';
import { probeUrl, serviceFrom } from '../../deploy/healthcheck.mjs';
import { readRepoFile, REPO_ROOT } from './manifests.js';
import { SERVICE_PORTS } from './service-env.js';

const DOCKERFILE = 'deploy/Dockerfile';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

function stages(list: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of list) {
    if (i.op === 'FROM') out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

/** The workspace directories of the root package.json ("libs/*" expanded). */
function workspaces(): string[] {
  const pkg = JSON.parse(readRepoFile('package.json')) as { workspaces: string[] };
  return pkg.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const dir = pattern.slice(0, -2);
    return fs
      .readdirSync(path.join(REPO_ROOT, dir))
      .filter((d) => fs.existsSync(path.join(REPO_ROOT, dir, d, 'package.json')))
      .map((d) => `${dir}/${d}`);
  });
}

describe('deploy/Dockerfile', () => {
  const list = instructions(readRepoFile(DOCKERFILE));
  const all = stages(list);
  const runtime = all.at(-1)!;

  it('when built, then it is multi-stage on Node 24 (the Active LTS), and the runtime stage copies only production dependencies, the compiled services and the built console from the build stages', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const arg = list.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:24[.\d]*-[a-z]+-slim$/);
    const fromDeps = runtime.filter((i) => i.op === 'COPY' && i.args.includes('--from='));
    expect(fromDeps.map((i) => i.args)).toEqual([
      '--from=deps /app/node_modules ./node_modules',
      '--from=build /app/dist ./dist', // npm run build: the services as JavaScript
      '--from=build /app/apps/console/dist ./apps/console/dist', // the built console's static files
    ]);
    expect(
      list.some((i) => i.op === 'COPY' && /^\.\s/.test(i.args)),
      'no COPY . : the context has node_modules',
    ).toBe(false);
  });

  it('when the build stage runs, then it compiles dist/ with scripts/build.ts (npm run build)', () => {
    const build = all.find((stage) => /\bAS build$/i.test(stage[0]!.args))!;
    expect(build, 'a stage named build').toBeDefined();
    expect(build.some((i) => i.op === 'RUN' && /\bnpx tsx scripts\/build\.ts\b/.test(i.args))).toBe(true);
    const pkg = JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe('tsx scripts/build.ts');
  });

  it('when dependencies install, then production ones only, exactly as locked, with no install scripts', () => {
    const run = list
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(run).toMatch(/npm ci\b[^\n]*--omit=dev/);
    expect(run).toMatch(/npm ci\b[^\n]*--ignore-scripts/);
    expect(run).not.toMatch(/npm (install|i)\b/);
  });

  it('when npm ci runs, then every workspace manifest is already in place (the list follows package.json "workspaces")', () => {
    const copied = list.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const ws of workspaces()) expect(copied, ws).toContain(`${ws}/package.json ${ws}/`);
    expect(copied).toContain('package.json package-lock.json .npmrc ./');
  });

  it('when the image runs, then as a numeric non-root user, under tini, with a health check', () => {
    const user = runtime.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const entry = runtime.find((i) => i.op === 'ENTRYPOINT')!;
    expect(JSON.parse(entry.args)).toEqual(['/usr/bin/tini', '--', 'sh', '/app/deploy/docker-entrypoint.sh']);
    expect(runtime.some((i) => i.op === 'RUN' && /apt-get install[^&]*\btini\b/.test(i.args))).toBe(true);
    const health = runtime.find((i) => i.op === 'HEALTHCHECK')!;
    expect(health.args).toMatch(/CMD \["node", "\/app\/deploy\/healthcheck\.mjs"\]/);
  });

  it('when the image copies files, then they exist, and the ignore file keeps node_modules and secrets out of the context', () => {
    for (const i of list.filter((x) => x.op === 'COPY' && !x.args.includes('--from='))) {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(fs.existsSync(path.join(REPO_ROOT, src)), src).toBe(true);
    }
    const ignore = readRepoFile('deploy/Dockerfile.dockerignore').split('\n');
    for (const p of ['**/node_modules', '.git', '.pixsim', '**/.env']) expect(ignore).toContain(p);
    // A copied path the ignore file leaves out of the context would fail the build.
    for (const i of list.filter((x) => x.op === 'COPY' && !x.args.includes('--from='))) {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        const top = src.split('/')[0]!;
        expect(ignore, `${src} is excluded from the build context`).not.toContain(top);
        expect(ignore, `${src} is excluded from the build context`).not.toContain(src);
      }
    }
  });

  it('when maintenance commands run in the image, then tsx (which loads their TypeScript) is a production dependency', () => {
    // The services run compiled, but the index migration imports each service's indexes
    // module (TypeScript) and backup / prune-consumers are scripts: with --omit=dev a tsx
    // that is only a devDependency would be missing from the image.
    const manifests = ['package.json', ...workspaces().map((w) => `${w}/package.json`)].map(
      (p) => JSON.parse(readRepoFile(p)) as { dependencies?: Record<string, string> },
    );
    expect(
      manifests.some((m) => m.dependencies?.tsx !== undefined),
      'tsx in "dependencies" of the root or a workspace',
    ).toBe(true);
  });
});

describe('deploy/docker-entrypoint.sh', () => {
  let bin: string;
  beforeAll(() => {
    // A stand-in `node` that prints how it was called, so the script runs without starting anything.
    bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pixsim-entrypoint-'));
    fs.writeFileSync(
      path.join(bin, 'node'),
      '#!/bin/sh\nprintf "OTEL_SERVICE_NAME=%s PIXSIM_SERVICE=%s\\n" "$OTEL_SERVICE_NAME" "$PIXSIM_SERVICE"\nprintf "%s\\n" "$@"\n',
      { mode: 0o755 },
    );
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync('sh', [path.join(REPO_ROOT, 'deploy/docker-entrypoint.sh'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: `${bin}:${process.env.PATH}`, ...env },
    });
    return { code: r.status, lines: r.stdout.trim().split('\n'), stderr: r.stderr };
  };

  it.each(SERVICES)(
    'when asked for %s by argument, then node runs its compiled main.js with the V8 flags and the compiled telemetry register, no tsx',
    (service) => {
      const r = run([service]);
      expect(r.code).toBe(0);
      expect(r.lines).toEqual([
        `OTEL_SERVICE_NAME=${service} PIXSIM_SERVICE=${service}`,
        ...serviceNodeFlags(service), // the supervisor's flags: npm start runs what the image runs
        '--import',
        './dist/telemetry-register.js',
        `dist/services/${service}/main.js`,
      ]);
      // What npm run build writes, from a source that exists.
      expect(ENTRIES[`services/${service}/main`]).toBe(`services/${service}/src/main.ts`);
      expect(ENTRIES['telemetry-register']).toBe('libs/kit/src/telemetry-register.ts');
      expect(fs.existsSync(path.join(REPO_ROOT, `services/${service}/src/main.ts`))).toBe(true);
      expect(r.lines).not.toContain('--enable-source-maps');
    },
  );

  it('when the service comes from PIXSIM_SERVICE, then the same, and an explicit OTEL_SERVICE_NAME is kept', () => {
    const r = run([], { PIXSIM_SERVICE: 'poller', OTEL_SERVICE_NAME: 'poller-eu' });
    expect(r.lines[0]).toBe('OTEL_SERVICE_NAME=poller-eu PIXSIM_SERVICE=poller');
    expect(r.lines.at(-1)).toBe('dist/services/poller/main.js');
  });

  it('when the simulator gets only flags, then PIXSIM_SERVICE picks it and the flags follow its defaults (later flags win)', () => {
    const r = run(['--latency', '2000'], { PIXSIM_SERVICE: 'simulator' });
    expect(r.code).toBe(0);
    expect(ENTRIES['pixverse-sim']).toBe('libs/pixverse-sim/src/cli.ts');
    expect(r.lines.slice(1)).toEqual([
      'dist/pixverse-sim.js',
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--latency',
      '2000',
    ]);
  });

  it('when seed-account is asked for, then the seeding script runs', () => {
    expect(run(['seed-account']).lines.slice(1)).toEqual(['--import', 'tsx', 'deploy/seed-account.ts']);
  });

  it('when migrate is asked for, then npm runs the migrate script with a writable HOME; backup runs scripts/backup.ts', () => {
    fs.writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\nprintf "HOME=%s\\n" "$HOME"\nprintf "%s\\n" "$@"\n', {
      mode: 0o755,
    });
    expect(run(['migrate']).lines).toEqual(['HOME=/tmp', 'run', '--silent', 'migrate', '--']);
    expect(run(['prune-consumers', '--idle-hours', '24']).lines.slice(1)).toEqual([
      '--import',
      'tsx',
      'scripts/prune-consumers.ts',
      '--idle-hours',
      '24',
    ]);
    expect(run(['backup', 'backup', '--db', 'pixsim-asset']).lines.slice(1)).toEqual([
      '--import',
      'tsx',
      'scripts/backup.ts',
      'backup',
      '--db',
      'pixsim-asset',
    ]);
    expect(fs.existsSync(path.join(REPO_ROOT, 'scripts/backup.ts'))).toBe(true);
  });

  it('when no or an unknown service is given, then it exits 64 with the usage', () => {
    for (const args of [[], ['frontend']]) {
      const r = run(args);
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('usage:');
    }
  });

  it("when the simulator's flags from compose and the dev overlay are parsed, then its CLI accepts them", () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'libs/pixverse-sim/src/cli.ts',
        '--host',
        '0.0.0.0',
        '--port',
        '8080',
        '--account',
        'k:100:5',
        '--latency',
        '3000',
        '--help',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('deploy/healthcheck.mjs', () => {
  it('when PIXSIM_SERVICE is unset, then the service is read from PID 1 (tini -- sh docker-entrypoint.sh <service>)', () => {
    expect(serviceFrom({ PIXSIM_SERVICE: 'asset' }, [])).toBe('asset');
    expect(serviceFrom({}, ['/usr/bin/tini', '--', 'sh', '/app/deploy/docker-entrypoint.sh', 'dispatcher'])).toBe(
      'dispatcher',
    );
    expect(serviceFrom({}, ['/usr/bin/tini', '--', 'sh', '/app/deploy/docker-entrypoint.sh'])).toBeNull();
  });

  it.each(SERVICES)('when %s is probed, then on its port (PORT / OPS_PORT, else the default)', (service) => {
    const { variable, port } = service === 'gateway' ? { variable: 'PORT', port: 8000 } : SERVICE_PORTS[service];
    expect(probeUrl(service, {})).toBe(`http://127.0.0.1:${port}/health`);
    expect(probeUrl(service, { [variable]: '7777' }, '/ready')).toBe('http://127.0.0.1:7777/ready');
    if (service === 'gateway') {
      // With a side server, /ready is asked there and /health still on the API port.
      expect(probeUrl(service, { PORT: '8000', OPS_PORT: '9100' }, '/ready')).toBe('http://127.0.0.1:9100/ready');
      expect(probeUrl(service, { PORT: '8000', OPS_PORT: '9100' })).toBe('http://127.0.0.1:8000/health');
    }
  });

  it('when the simulator is probed, then on SIM_PORT; an unknown process has no URL', () => {
    expect(probeUrl('simulator', { SIM_PORT: '9999' })).toBe('http://127.0.0.1:9999/__sim/stats');
    expect(probeUrl('frontend', {})).toBeNull();
  });

  describe('as a process', () => {
    let server: http.Server;
    let status = 200;
    let port = 0;
    beforeAll(async () => {
      server = http.createServer((req, res) => res.writeHead(req.url === '/ready' ? status : 200).end('{}'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    // Asynchronous: the server answering the probe lives in this process.
    const probe = (env: Record<string, string>, args: string[] = []) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [path.join(REPO_ROOT, 'deploy/healthcheck.mjs'), ...args],
          {
            encoding: 'utf8',
            env: { PATH: process.env.PATH, ...env },
            timeout: 20_000,
          },
          (err, _stdout, stderr) =>
            resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr }),
        );
      });

    it('when the service answers 200, then it exits 0; 503 or nothing listening, then 1', async () => {
      expect((await probe({ PIXSIM_SERVICE: 'job-intake', OPS_PORT: String(port) })).status).toBe(0);
      status = 503;
      const down = await probe({ PIXSIM_SERVICE: 'job-intake', OPS_PORT: String(port) }, ['/ready']);
      expect(down.status).toBe(1);
      expect(down.stderr).toContain('answered 503');
      expect((await probe({ PIXSIM_SERVICE: 'gateway', PORT: '1' })).status).toBe(1);
    });
  });
});
