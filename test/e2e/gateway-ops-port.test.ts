import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@pixsim/credentials';
import { deleteKeys, freePort, mongoUri, REDIS_URL, uniqueName, waitFor } from '@pixsim/testkit';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the gateway with a side server (OPS_PORT, as in Kubernetes)', () => {
  let child: ChildProcess | undefined;
  let output = '';
  const tag = uniqueName('t-ops');
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, tag);
    redis.disconnect();
    const conn = await mongoose.createConnection(mongoUri()).asPromise();
    await conn.useDb(`${tag}-gateway`).dropDatabase();
    await conn.close();
  });

  it('when OPS_PORT is set, then /ready and /metrics are served there and not on the public port, and a shutdown answers DRAINING', async () => {
    const [port, ops] = [await freePort(), await freePort()];
    child = spawn(process.execPath, ['--import', 'tsx', 'services/gateway/src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        OPS_PORT: String(ops),
        OPS_HOST: '127.0.0.1',
        MONGODB_DB: `${tag}-gateway`,
        STREAM_PREFIX: tag,
        PIXSIM_SEALING_PUBLIC_KEY: generateSealingKeyPair('k1').publicKey,
        PIXSIM_ADMIN_TOKEN: randomBytes(16).toString('hex'),
        JWT_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => void (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => void (output += c.toString()));

    const ready = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${ops}/ready`).catch(() => undefined);
        return res?.status === 200
          ? ((await res.json()) as { status: string; checks: Record<string, string> })
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the side server to answer ready' },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output}`);
    });
    expect(ready.status).toBe('ready');
    expect(ready.checks).toMatchObject({ redis: 'ok', mongodb: 'ok', nats: 'ok' });

    const api = `http://127.0.0.1:${port}`;
    expect((await fetch(`${api}/health`)).status).toBe(200);
    expect((await fetch(`${api}/ready`)).status).toBe(404);
    expect((await fetch(`${api}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`http://127.0.0.1:${ops}/metrics`)).text();
    expect(metrics).toContain('pixsim_http_request_duration_seconds_bucket');

    // SIGTERM: the API port closes at once, the side server says DRAINING until the process is gone.
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    const draining = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${ops}/ready`).catch(() => undefined);
        return res?.status === 503 ? ((await res.json()) as { error: { code: string } }) : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'DRAINING' },
    ).catch(() => null);
    expect(await exited).toBe(0);
    // The side server may close before a probe lands; when one did, it said DRAINING.
    if (draining) expect(draining.error.code).toBe('DRAINING');
  });
});
