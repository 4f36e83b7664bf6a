import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceName } from '@pixsim/contracts';
import {
  DEFAULT_PORTS,
  freePort,
  startSystem,
  type StartSystemOptions,
  type SystemHandle,
} from '../src/supervisor/index.js';

const fixture = fileURLToPath(new URL('./fixtures/fixture-service.ts', import.meta.url));

function options(services: ServiceName[], over: Partial<StartSystemOptions> = {}): StartSystemOptions {
  return {
    services,
    entry: () => fixture,
    nodeImports: ['tsx'],
    simulator: false,
    dataDir: null,
    logs: 'quiet',
    mongoUri: process.env.MONGODB_URI,
    prefix: `t-${randomUUID().slice(0, 8)}`,
    ports: Object.fromEntries(services.map((s) => [s, 0])),
    restart: { initialDelayMs: 100 },
    stopGraceMs: 3_000,
    readyTimeoutMs: 20_000,
    ...over,
  };
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const opsUrl = (sys: SystemHandle, name: ServiceName): string => `http://127.0.0.1:${sys.ports[name]}`;

describe('supervisor', () => {
  let sys: SystemHandle | undefined;
  afterEach(async () => {
    await sys?.stop();
    sys = undefined;
  });

  it('when a service is killed, then the supervisor says so and restarts it', async () => {
    sys = await startSystem(options(['dispatcher']));
    const before = sys.processes.dispatcher!.pid;
    await sys.kill('dispatcher');
    expect(sys.logs().join('\n')).toContain('dispatcher exited (code 137, SIGKILL); restarting in 100ms');
    await sys.waitReady('dispatcher');
    expect(sys.processes.dispatcher!.pid).not.toBe(before);
    expect(sys.processes.dispatcher!.restarts).toBe(1);
    expect(sys.logs().join('\n')).toContain('dispatcher ready again (restart 1)');
  });

  it('when a restarted service dies again soon after it got ready, then the next delay doubles (a crash loop backs off)', async () => {
    sys = await startSystem(options(['dispatcher']));
    await sys.kill('dispatcher');
    await sys.waitReady('dispatcher');
    await sys.kill('dispatcher');
    expect(sys.logs().join('\n')).toContain('dispatcher exited (code 137, SIGKILL); restarting in 200ms');
    await sys.waitReady('dispatcher');
  });

  it('when a service is killed with restart: false, then it stays down until started again', async () => {
    sys = await startSystem(options(['poller']));
    await sys.kill('poller', 'SIGTERM', { restart: false });
    expect(sys.processes.poller!.state).toBe('stopped');
    await sys.start('poller');
    expect(sys.processes.poller!.state).toBe('ready');
  });

  it('when stop() is called, then every child has exited, the stubborn one by SIGKILL', async () => {
    sys = await startSystem(
      options(['job-intake', 'asset'], { stopGraceMs: 500, serviceEnv: { asset: { FIXTURE_IGNORE_SIGTERM: '1' } } }),
    );
    const pids = [sys.processes['job-intake']!.pid, sys.processes.asset!.pid];
    expect(pids.every(alive)).toBe(true);
    await sys.stop();
    expect(pids.some(alive)).toBe(false);
    expect(sys.logs().join('\n')).toContain('asset did not stop within 500ms; killing it');
    expect(sys.processes.asset!.state).toBe('stopped');
  });

  it('when a service is slow to become ready, then startSystem waits for its /ready', async () => {
    const t0 = Date.now();
    sys = await startSystem(options(['poller'], { serviceEnv: { poller: { FIXTURE_READY_DELAY_MS: '1500' } } }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
    expect((await fetch(`${opsUrl(sys, 'poller')}/ready`)).status).toBe(200);
  });

  it('when a service exits with 78 (bad environment), then startSystem fails with its output and does not restart it', async () => {
    const started = startSystem(options(['dispatcher'], { serviceEnv: { dispatcher: { FIXTURE_EXIT_CODE: '78' } } }));
    await expect(started).rejects.toThrow(
      /dispatcher: it exited and will not be restarted \(code 78\); its last output:\n.*MONGODB_URI: is required but not set/,
    );
  });

  it('when Redis does not answer, then startSystem fails saying how to start it', async () => {
    const port = await freePort();
    const started = startSystem(
      options(['dispatcher'], { env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${port}` } }),
    );
    await expect(started).rejects.toThrow(
      new RegExp(`Redis is not answering at 127.0.0.1:${port} .*\\nStart it with:\\n  redis-server --daemonize yes`),
    );
  });

  it('when STREAM_PREFIX is malformed, then startSystem fails naming it, before starting anything', async () => {
    const started = startSystem(
      options(['dispatcher'], { prefix: undefined, env: { ...process.env, STREAM_PREFIX: 'my prefix' } }),
    );
    await expect(started).rejects.toThrow(/^STREAM_PREFIX "my prefix": stream prefix "my prefix" must match/);
    await expect(started).rejects.toMatchObject({ code: 'BAD_SETTING' });
  });

  it('when the MONGODB_URI given does not answer, then startSystem fails at once saying so, before starting anything', async () => {
    const port = await freePort();
    const started = startSystem(
      options(['dispatcher'], {
        mongoUri: undefined,
        env: { ...process.env, MONGODB_URI: `mongodb://127.0.0.1:${port}/pixsim` },
      }),
    );
    await expect(started).rejects.toThrow(
      new RegExp(`MongoDB is not answering at 127.0.0.1:${port} .*\\nStart mongod there, or unset MONGODB_URI`),
    );
  });

  it('when MONGODB_URI is empty (as unset), then it runs mongo-dev and the simulator and hands the services their URLs and own settings', async () => {
    // An `.env` line `MONGODB_URI=` leaves it empty: that means unset, not "connect to ''".
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '1',
      OPS_PORT: '2',
      PIXSIM_ADMIN_TOKEN: 'from-env',
      MONGODB_URI: '',
    };
    const simulator = { latencyMs: 0, accounts: [{ apiKey: 'k-1', credits: 500, maxConcurrent: 2 }] };
    sys = await startSystem(
      options(['gateway', 'asset'], { env, mongoUri: undefined, mongoDbPrefix: 'tdb', simulator, seedAccount: false }),
    );
    expect(sys.mongoUri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+/);
    expect(sys.simulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stats = (await (await fetch(`${sys.simulatorUrl}/__sim/stats`)).json()) as {
      credits: Record<string, number>;
    };
    expect(Object.values(stats.credits)).toEqual([500]);
    const get = async (name: ServiceName) =>
      (await fetch(`${opsUrl(sys!, name)}/env`)).json() as Promise<Record<string, string>>;
    const [gateway, asset] = await Promise.all([get('gateway'), get('asset')]);
    expect(asset).toMatchObject({
      MONGODB_URI: sys.mongoUri,
      PIXVERSE_BASE_URL: sys.simulatorUrl,
      STREAM_PREFIX: sys.prefix,
      MONGODB_DB: 'tdb-asset',
      CONSUMER_NAME: 'asset-1',
      OTEL_SERVICE_NAME: 'asset',
      OPS_HOST: '127.0.0.1',
    });
    // The simulator's account key travels in its environment, never on a command line `ps` shows.
    const simCmdline = await readFile(`/proc/${sys.processes['pixverse-sim']!.pid}/cmdline`, 'utf8');
    expect(simCmdline).not.toContain('k-1');
    expect(asset.PIXSIM_ADMIN_TOKEN).toBeUndefined();
    expect(asset.PORT).toBeUndefined();
    expect(gateway).toMatchObject({
      PIXSIM_ADMIN_TOKEN: 'from-env',
      MONGODB_DB: 'tdb-gateway',
      HOST: '127.0.0.1',
    });
    // Keys only where they are used: the gateway seals with the public key and cannot open.
    expect(gateway.PIXSIM_SEALING_PUBLIC_KEY).toMatch(/^k1:/);
    expect(gateway.PIXSIM_SEALING_PRIVATE_KEYS).toBeUndefined();
    expect(asset.PIXSIM_SEALING_PRIVATE_KEYS).toBeUndefined();
    expect(asset.PIXSIM_SEALING_PUBLIC_KEY).toBeUndefined();
    const infraPids = [sys.processes['mongo-dev']!.pid, sys.processes['pixverse-sim']!.pid];
    await sys.stop();
    expect(infraPids.some(alive)).toBe(false);
  });

  it('when the system is stopped mid-generation and started again on its data dir, then the simulator still has the generation and the spent credits', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pixsim-data-'));
    const simulator = { latencyMs: 60_000, accounts: [{ apiKey: 'k-state', credits: 500, maxConcurrent: 2 }] };
    const over = { dataDir, simulator, seedAccount: false } as const;
    const sim = (url: string, route: string, body?: unknown) =>
      fetch(`${url}/openapi/v2${route}`, {
        method: body ? 'POST' : 'GET',
        headers: { 'API-KEY': 'k-state', 'Ai-trace-id': randomUUID(), 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.json() as Promise<{ ErrCode: number; Resp: Record<string, number> }>);
    try {
      sys = await startSystem(options(['asset'], over));
      const submitted = await sim(sys.simulatorUrl!, '/video/text/generate', {
        prompt: 'a cat',
        model: 'v4.5',
        quality: '540p',
        duration: 5,
        aspect_ratio: '16:9',
      });
      expect(submitted.ErrCode).toBe(0);
      await sys.stop();

      sys = await startSystem(options(['asset'], over));
      const status = await sim(sys.simulatorUrl!, `/video/result/${submitted.Resp.video_id}`);
      expect(status).toMatchObject({ ErrCode: 0, Resp: { status: 5 } });
      const { Resp: credits } = await sim(sys.simulatorUrl!, '/account/balance');
      expect(credits.credit_monthly! + credits.credit_package!).toBe(455);
    } finally {
      await sys?.stop();
      sys = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("when a worker's default side port is taken, then it gets a free one and the supervisor says so; a taken gateway port stops the start before anything runs", async () => {
    const hold = async (port: number) => {
      const server = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(port, '0.0.0.0', () => resolve(true));
      });
      return { close: () => (ok ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve()) };
    };
    const held = await hold(DEFAULT_PORTS.asset); // or someone else holds it already: the same for the test
    try {
      sys = await startSystem(options(['asset'], { ports: {} }));
      expect(sys.ports.asset).not.toBe(DEFAULT_PORTS.asset);
      expect(sys.logs().join('\n')).toContain(
        `port ${DEFAULT_PORTS.asset} is in use; asset serves /health /ready /metrics on ${sys.ports.asset} instead`,
      );
      expect((await fetch(`${opsUrl(sys, 'asset')}/ready`)).status).toBe(200);
    } finally {
      await held.close();
    }

    const gateway = await hold(DEFAULT_PORTS.gateway);
    try {
      const env = { ...process.env, PORT: '' };
      await expect(startSystem(options(['gateway'], { ports: {}, env }))).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringMatching(/^port 8000 \(the gateway's default\) is in use .*set PORT to another port$/),
      });
    } finally {
      await gateway.close();
    }
    // A PORT that is set and taken stops the start too, before mongo-dev or the simulator run.
    const asked = await freePort();
    const busy = await hold(asked);
    try {
      const env = { ...process.env, PORT: String(asked) };
      const started = Date.now();
      await expect(
        startSystem(options(['gateway'], { ports: {}, env, simulator: { latencyMs: 0 }, mongoUri: undefined })),
      ).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringMatching(new RegExp(`^port ${asked} \\(PORT\\) is in use`)),
      });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await busy.close();
    }
  });

  it('when a service runs with 2 replicas, then each has its own process name, CONSUMER_NAME, port and log prefix, and a killed replica alone is restarted', async () => {
    const base = await freePort();
    sys = await startSystem(
      options(['gateway', 'dispatcher'], { replicas: 2, ports: { gateway: base, dispatcher: 0 } }),
    );
    expect(sys.replicas).toEqual({ gateway: ['gateway#1', 'gateway#2'], dispatcher: ['dispatcher#1', 'dispatcher#2'] });
    // Gateways on PORT, PORT+1; each worker replica on a port of its own.
    expect(sys.replicaPorts.gateway).toEqual([base, base + 1]);
    expect(sys.gatewayUrls).toEqual([`http://127.0.0.1:${base}`, `http://127.0.0.1:${base + 1}`]);
    expect(sys.gatewayUrl).toBe(sys.gatewayUrls[0]);
    const [d1, d2] = sys.replicaPorts.dispatcher!;
    expect(d1).not.toBe(d2);
    expect(sys.ports.dispatcher).toBe(d1);
    const envOf = async (port: number) =>
      (await fetch(`http://127.0.0.1:${port}/env`)).json() as Promise<Record<string, string>>;
    const envs = await Promise.all([base, base + 1, d1!, d2!].map(envOf));
    expect(envs.map((e) => [e.CONSUMER_NAME, e.PORT ?? e.OPS_PORT])).toEqual([
      ['gateway-1', String(base)],
      ['gateway-2', String(base + 1)],
      ['dispatcher-1', String(d1)],
      ['dispatcher-2', String(d2)],
    ]);
    expect(new Set(envs.map((e) => e.OTEL_SERVICE_NAME))).toEqual(new Set(['gateway', 'dispatcher']));
    const logs = sys.logs().join('\n');
    expect(logs).toMatch(/ INFO {2}dispatcher#2 dispatcher started/);
    expect(logs).toMatch(/ INFO {2}gateway#1 {4}gateway started/);

    // One replica at a time: the service's name alone is refused, naming the replicas.
    await expect(sys.kill('dispatcher')).rejects.toMatchObject({
      code: 'UNKNOWN_PROCESS',
      message: 'dispatcher runs 2 replicas: name one (dispatcher#1, dispatcher#2)',
    });
    const before = { one: sys.processes['dispatcher#1']!.pid, two: sys.processes['dispatcher#2']!.pid };
    await sys.kill('dispatcher#2');
    expect(sys.logs().join('\n')).toContain('dispatcher#2 exited (code 137, SIGKILL); restarting in 100ms');
    await sys.waitReady('dispatcher'); // every replica
    expect(sys.processes['dispatcher#2']!.pid).not.toBe(before.two);
    expect(sys.processes['dispatcher#2']!.restarts).toBe(1);
    expect(sys.processes['dispatcher#1']!.pid).toBe(before.one);
    expect(sys.processes['dispatcher#1']!.restarts).toBe(0);
    expect((await envOf(d2!)).CONSUMER_NAME).toBe('dispatcher-2');
  });

  it('when the replica count is not a whole number from 1 to 32, then startSystem fails naming it, before starting anything', async () => {
    await expect(startSystem(options(['poller'], { replicas: { poller: 0 } }))).rejects.toMatchObject({
      code: 'BAD_SETTING',
      message: 'replicas of poller: 0 (expected a whole number from 1 to 32)',
    });
  });

  it('when a second system starts on a data dir in use, then it is refused naming the first; once the first stops, the lock is gone', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'pixsim-data-'));
    try {
      sys = await startSystem(options(['asset'], { dataDir }));
      await expect(startSystem(options(['asset'], { dataDir }))).rejects.toMatchObject({
        code: 'DATA_DIR_IN_USE',
        message: expect.stringContaining(`pid ${process.pid}`),
      });
      await sys.stop();
      sys = undefined;
      await expect(stat(path.join(dataDir, 'supervisor.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'when npm start gets %s (Ctrl-C, a stop, the terminal closed), then it stops every child and frees the data dir',
    async (signal) => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'pixsim-data-'));
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./fixtures/supervised-system.ts', import.meta.url))],
        {
          env: { ...process.env, FIXTURE_DATA_DIR: dataDir },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      try {
        const servicePid = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /READY (\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.once('exit', (code) =>
            reject(new Error(`the supervisor exited (${code}) before it was ready: ${out}`)),
          );
        });
        expect(alive(servicePid)).toBe(true);
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(alive(servicePid)).toBe(false);
        await expect(stat(path.join(dataDir, 'supervisor.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
      } finally {
        child.kill('SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
