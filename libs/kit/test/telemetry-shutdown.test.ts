import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createKeys, eventIds } from '@pixsim/contracts';
import { createPublisher } from '@pixsim/bus';

const fixture = fileURLToPath(new URL('./fixtures/service-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('runService shutdown with telemetry', () => {
  it('when a traced service gets SIGTERM, then the spans still in its batch are exported before it exits', async () => {
    const names: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        type Export = { resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[] };
        for (const rs of (JSON.parse(body) as Export).resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) names.push(s.name);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    const prefix = `t-otel-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', '@pixsim/kit/telemetry-register', fixture], {
      cwd: root,
      env: {
        ...process.env,
        STREAM_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        CONSUMER_NAME: 'c1',
        OTEL_SERVICE_NAME: 'asset',
        OTEL_EXPORTER_OTLP_ENDPOINT: url,
        // Far longer than the test: only the flush at shutdown can deliver the spans.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (out.includes(text) ? resolve() : undefined);
        child.stdout.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited (${code}) before "${text}": ${out}`)));
        check();
      });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await seen('"ready":true');
      const publisher = createPublisher({ redis, keys: createKeys(prefix) });
      const data = {
        job_id: 'job-1',
        stage: 'poll' as const,
        error_code: 'TIMEOUT' as const,
        error_message: 'x',
        retry_count: 0,
        account_id: null,
        provider_job_id: null,
        failed_at: new Date().toISOString(),
      };
      await publisher.publish({ type: 'JOB_FAILED', id: eventIds.jobFailed('job-1'), data });
      await seen('handler used the client');
      expect(names).toEqual([]);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(names.some((n) => n.startsWith('process ') && n.endsWith(':JOB_FAILED'))).toBe(true);
    } finally {
      child.kill('SIGKILL');
      receiver.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.unlink(...keys);
      redis.disconnect();
    }
  }, 90_000);
});
