import http from 'node:http';
import net from 'node:net';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralRange, freePort } from '../src/supervisor/free-port.js';
import { waitUntilReady } from '../src/supervisor/ready-check.js';
import { spawnSync } from 'node:child_process';
import {
  applyEnvFile,
  checkDependency,
  checkMongo,
  formatLogLine,
  lockDataDir,
  mongoSeeds,
  resolveSecrets,
  seedSimulatorAccount,
  wipeDataDir,
} from '../src/supervisor/index.js';
import { formatDelay, restartDelay, DEFAULT_RESTART_POLICY } from '../src/supervisor/restart-policy.js';
import { startFakeGateway } from './fake-gateway.js';

const at = new Date(2025, 0, 2, 3, 4, 5, 6);
const pretty = { json: false, color: false, now: () => at };

describe('log lines', () => {
  it('when a child logs pino JSON, then the line shows time, level, name, message and job id', () => {
    const raw = JSON.stringify({
      level: 40,
      time: at.toISOString(),
      service: 'dispatcher',
      msg: 'account cooling down',
      job_id: 'j-9',
      err: { message: 'boom' },
    });
    expect(formatLogLine('dispatcher', raw, 'stdout', pretty)).toBe(
      '03:04:05.006 WARN  dispatcher   account cooling down job_id=j-9 err="boom"',
    );
  });

  it('when a child prints plain text on stderr, then it is kept and marked', () => {
    expect(formatLogLine('poller', 'Error: x', 'stderr', pretty)).toBe('03:04:05.006 ERR   poller       Error: x');
  });

  it('when --json, then pino lines pass through untouched and plain text becomes JSON', () => {
    const raw = '{"level":30,"msg":"hi"}';
    expect(formatLogLine('asset', raw, 'stdout', { ...pretty, json: true })).toBe(raw);
    expect(JSON.parse(formatLogLine('asset', 'oops', 'stderr', { ...pretty, json: true }))).toEqual({
      level: 50,
      time: at.toISOString(),
      service: 'asset',
      msg: 'oops',
    });
  });
});

describe('free ports', () => {
  it('when ports are picked for children, then they lie below the ephemeral range, where no outgoing connection can hold them', async () => {
    const [low] = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
    }
    // And each one can really be listened on, on every interface.
    const server = net.createServer();
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(ports[0], '0.0.0.0', () => resolve()),
    );
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('free ports, picked before anyone binds them', () => {
  it('when a system picks many ports before its children start, then no port is handed out twice', async () => {
    // 600 random picks from the ~22,000 ports below Linux's default ephemeral range repeat one
    // about 99.96% of the time unless the picker remembers what it handed out; a repeat starts
    // two children on one port, and the second fails with EADDRINUSE.
    const ports: number[] = [];
    for (let i = 0; i < 600; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe('dependency check', () => {
  it('when nothing answers on a local port, then the hint starts the server on that port and names its package', async () => {
    const port = await freePort();
    const lines = async (p: Promise<void>) => ((await p.catch((e: Error) => e)) as Error).message.split('\n');
    const redis = await lines(checkDependency('redis', `redis://127.0.0.1:${port}`));
    expect(redis[0]).toMatch(new RegExp(`^Redis is not answering at 127\\.0\\.0\\.1:${port} \\(`));
    expect(redis[2]).toMatch(new RegExp(`^  redis-server --daemonize yes .*--port ${port} `));
    expect(redis[3]).toMatch(
      /^or set REDIS_URL to one that runs\. \(No redis-server installed\? apt-get install -y redis-server\)$/,
    );
    const nats = await lines(checkDependency('nats', `nats://localhost:${port}`));
    expect(nats[0]).toMatch(new RegExp(`^NATS is not answering at localhost:${port} \\(`));
    expect(nats[2]).toMatch(new RegExp(`nats-server -- -a 127\\.0\\.0\\.1 -p ${port} `));
    expect(nats[3]).toMatch(/apt-get install -y nats-server\)$/);
  });

  it('when a remote host does not answer, then the hint says to check that host rather than start a local server', async () => {
    // The .invalid top-level domain never resolves (RFC 2606): nothing answers there.
    const err = await checkDependency('redis', 'redis://redis.invalid:6380', 300).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^Redis is not answering at redis\.invalid:6380 .*\nCheck that Redis runs on redis\.invalid and that this machine can reach port 6380, or set REDIS_URL/,
    );
    expect((err as Error).message).not.toMatch(/redis-server --daemonize/);
  });

  it('when a server answers, then the check passes', async () => {
    await expect(checkDependency('redis', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')).resolves.toBeUndefined();
  });
});

describe('MongoDB check', () => {
  it('when a connection string has credentials, several seeds, IPv6 and options, then the seeds are its hosts and ports', () => {
    expect(
      mongoSeeds('mongodb://u%40x:p%3Aw@db-0.db:27018,db-1.db,[::1]:27019/pixsim?replicaSet=rs0&authSource=admin'),
    ).toEqual([
      { host: 'db-0.db', port: 27018 },
      { host: 'db-1.db', port: 27017 },
      { host: '::1', port: 27019 },
    ]);
    expect(mongoSeeds('mongodb://127.0.0.1/?directConnection=true')).toEqual([{ host: '127.0.0.1', port: 27017 }]);
  });

  it('when no seed accepts a connection, then it fails naming the seeds (never the credentials) and what to do', async () => {
    const port = await freePort();
    const err = await checkMongo(`mongodb://admin:s3cret@127.0.0.1:${port}/pixsim`).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^MongoDB is not answering at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\)\\.\\nStart mongod there, or ` +
          `unset MONGODB_URI`,
      ),
    );
    expect((err as Error).message).not.toContain('s3cret');
    const remote = await checkMongo('mongodb://db.invalid:27017', 300).catch((e: Error) => e);
    expect((remote as Error).message).toMatch(
      /^MongoDB is not answering at db\.invalid:27017 .*\nCheck that MongoDB runs on db\.invalid:27017/,
    );
  });

  it('when one seed of several accepts a connection, or the string is a DNS seed list, then the check passes', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const live = (server.address() as net.AddressInfo).port;
    try {
      await expect(
        checkMongo(`mongodb://127.0.0.1:${await freePort()},127.0.0.1:${live}/pixsim`),
      ).resolves.toBeUndefined();
      await expect(checkMongo('mongodb+srv://cluster0.db.invalid/pixsim')).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('.env file', () => {
  it('when a .env names settings, then the unset ones are filled in and the environment keeps its own', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pixsim-env-'));
    try {
      const file = path.join(dir, '.env');
      await writeFile(
        file,
        '# from the old system\nREDIS_URL=redis://10.0.0.5:6379\nexport ' +
          'ARQ_MAX_JOBS=4\nPIXVERSE_BASE_URL="https://example.test/api"\n\nLOG_LEVEL=debug\n',
      );
      const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
      expect(applyEnvFile(file, env)).toEqual({
        applied: ['ARQ_MAX_JOBS', 'PIXVERSE_BASE_URL', 'REDIS_URL'],
        shadowed: ['LOG_LEVEL'],
      });
      expect(env).toEqual({
        LOG_LEVEL: 'warn',
        REDIS_URL: 'redis://10.0.0.5:6379',
        ARQ_MAX_JOBS: '4',
        PIXVERSE_BASE_URL: 'https://example.test/api',
      });
      expect(applyEnvFile(path.join(dir, 'absent.env'), env)).toBeNull();
      if (process.getuid?.() !== 0) {
        // root reads through any mode
        await chmod(file, 0o000);
        expect(() => applyEnvFile(file, {})).toThrow(/^cannot read .*\.env \(EACCES.*\); fix it or move it away$/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('readiness probe', () => {
  it('when something else answers 200 on the port, then the child is not taken for ready; its own answer is', async () => {
    let body = '<html>not a pixsim service</html>';
    const server = http.createServer((_req, res) => res.writeHead(200).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/ready`;
    try {
      const until = Date.now() + 700;
      expect(await waitUntilReady(url, () => Date.now() < until, 50)).toBe(false);
      body = JSON.stringify({ status: 'ready', checks: {} });
      expect(await waitUntilReady(url, () => true, 50)).toBe(true);
      // Another pixsim's service on the port answers ready too, but names its own pid.
      body = JSON.stringify({ status: 'ready', checks: {}, pid: 4242 });
      const soon = Date.now() + 500;
      expect(await waitUntilReady(url, () => Date.now() < soon, 50, 1234)).toBe(false);
      expect(await waitUntilReady(url, () => true, 50, 4242)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('restart backoff', () => {
  it('when crashes follow each other, then the delay doubles up to the cap', () => {
    expect([1, 2, 3, 10].map((n) => restartDelay(DEFAULT_RESTART_POLICY, n))).toEqual([1_000, 2_000, 4_000, 30_000]);
    expect([100, 1_000, 2_500].map(formatDelay)).toEqual(['100ms', '1s', '2.5s']);
  });
});

describe('data dir', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when started twice on one data dir, then keys are kept and the token file is owner-only', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pixsim-data-'));
    const first = await resolveSecrets(dir, {});
    const second = await resolveSecrets(dir, {});
    expect(first.sources).toEqual({ sealingKeys: 'generated', adminToken: 'generated', simAccountKey: 'generated' });
    expect(second).toMatchObject({
      sealingPrivateKeys: first.sealingPrivateKeys,
      sealingPublicKey: first.sealingPublicKey,
      adminToken: first.adminToken,
      simAccountKey: first.simAccountKey,
    });
    expect(first.sealingPublicKey).toMatch(/^k1:[A-Za-z0-9+/]{43}=$/);
    expect(first.sealingPublicKey).not.toBe(first.sealingPrivateKeys);
    expect(first.legacySecretKey).toBeUndefined();
    expect((await stat(path.join(dir, 'admin.token'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'sealing.key'))).mode & 0o777).toBe(0o600);
  });

  it("when a live process holds the data dir, then a second lock and a wipe are refused naming it; a dead holder's lock is taken over", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pixsim-data-'));
    const lockFile = path.join(dir, 'supervisor.pid');
    const parent = process.ppid; // alive for as long as this test runs
    await writeFile(lockFile, `${parent}\n`);
    await expect(lockDataDir(dir)).rejects.toMatchObject({
      code: 'DATA_DIR_IN_USE',
      message: expect.stringContaining(`pid ${parent}`),
    });
    await expect(wipeDataDir(dir)).rejects.toMatchObject({ code: 'DATA_DIR_IN_USE' });
    expect((await stat(lockFile)).isFile()).toBe(true);

    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    await writeFile(lockFile, `${dead}\n`);
    const lock = await lockDataDir(dir);
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(process.pid));
    lock.release();
    lock.release();
    await expect(stat(lockFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('when the token comes from the environment, then it wins and is written for the CLI', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pixsim-data-'));
    const s = await resolveSecrets(dir, { adminToken: 'env-token' });
    expect(s.sources.adminToken).toBe('env');
    expect((await readFile(path.join(dir, 'admin.token'), 'utf8')).trim()).toBe('env-token');
  });
});

describe('seeding', () => {
  const account = { apiKey: 'sim-key', credits: 1_000, maxConcurrent: 3 };

  it('when the gateway has no account, then it creates the simulator account and waits for the balance the dispatcher reads; it adds no credits of its own', async () => {
    let reads = 0;
    const g = await startFakeGateway({
      'GET /api/v1/accounts': () => ({ status: 200, body: { items: [] } }),
      'POST /api/v1/accounts': () => ({ status: 201, body: { id: 'acc-1' } }),
      // First the account is on its way to the read model, then it is there without its balance, then with it.
      'GET /api/v1/accounts/acc-1': () =>
        [
          { status: 404, body: {} },
          { status: 200, body: { id: 'acc-1', credits: 0 } },
        ][reads++] ?? { status: 200, body: { id: 'acc-1', credits: 1_000 } },
    });
    try {
      expect(await seedSimulatorAccount({ gatewayUrl: g.url, adminToken: 'adm', account })).toBe('seeded');
      expect(g.requests.map((r) => [r.method, r.url, r.body])).toEqual([
        ['GET', '/api/v1/accounts', undefined],
        [
          'POST',
          '/api/v1/accounts',
          { provider_id: 'pixverse', api_key: 'sim-key', nickname: 'simulator', max_concurrent_jobs: 3 },
        ],
        ['GET', '/api/v1/accounts/acc-1', undefined],
        ['GET', '/api/v1/accounts/acc-1', undefined],
        ['GET', '/api/v1/accounts/acc-1', undefined],
      ]);
      expect(g.requests.every((r) => r.authorization === 'Bearer adm')).toBe(true);
    } finally {
      await g.close();
    }
  });

  it('when the balance never arrives, then the seed fails saying where to look', async () => {
    const g = await startFakeGateway({
      'GET /api/v1/accounts': () => ({ status: 200, body: { items: [] } }),
      'POST /api/v1/accounts': () => ({ status: 201, body: { id: 'acc-1' } }),
      'GET /api/v1/accounts/acc-1': () => ({ status: 200, body: { id: 'acc-1', credits: 0 } }),
    });
    try {
      await expect(
        seedSimulatorAccount({ gatewayUrl: g.url, adminToken: 'adm', account, settleMs: 500 }),
      ).rejects.toThrow(/balance did not arrive within 500 ms.*dispatcher's log/);
    } finally {
      await g.close();
    }
  });

  it('when the gateway already has an account, then nothing is written', async () => {
    const g = await startFakeGateway({
      'GET /api/v1/accounts': () => ({ status: 200, body: { items: [{ id: 'x' }] } }),
    });
    try {
      expect(await seedSimulatorAccount({ gatewayUrl: g.url, adminToken: 'adm', account })).toBe('present');
      expect(g.requests).toHaveLength(1);
    } finally {
      await g.close();
    }
  });
});
