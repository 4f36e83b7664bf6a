import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createKeys, eventIds } from '@pixsim/contracts';
import { createPublisher } from '@pixsim/bus';
import { checkConsumers } from '../src/service.js';

const fixture = fileURLToPath(new URL('./fixtures/service-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('checkConsumers', () => {
  it('when a service consumes exactly its streams in CONSUMERS, then it may start', () => {
    expect(() => checkConsumers('asset', ['JOB_COMPLETED'])).not.toThrow();
  });

  it('when a stream is missing, extra or consumed twice, then the start is refused naming it', () => {
    expect(() => checkConsumers('asset', [])).toThrow(/asset does not consume JOB_COMPLETED/);
    expect(() => checkConsumers('asset', ['JOB_COMPLETED', 'JOB_FAILED'])).toThrow(/consumes JOB_FAILED/);
    expect(() => checkConsumers('asset', ['JOB_COMPLETED', 'JOB_COMPLETED'])).toThrow(/twice/);
    try {
      checkConsumers('asset', []);
    } catch (err) {
      expect(err).toMatchObject({ code: 'CONSUMERS_MISMATCH' });
    }
  });
});

describe('runService shutdown', () => {
  it('when SIGTERM arrives while a handler runs, then new work stops first, the handler finishes with its client open, and only then is the client closed', async () => {
    const prefix = `t-svc-${randomUUID().slice(0, 8)}`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: root,
      env: { ...process.env, STREAM_PREFIX: prefix, LOG_LEVEL: 'warn', CONSUMER_NAME: 'c1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const steps: Array<Record<string, unknown>> = [];
    let out = '';
    const seen = (step: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () =>
          steps.some((s) => s.step === step || (step === 'ready' && s.ready)) ? resolve() : undefined;
        child.stdout.on('data', check);
        child.once('exit', (code) => reject(new Error(`exited (${code}) before "${step}": ${out}`)));
        check();
      });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) if (l.startsWith('{')) steps.push(JSON.parse(l) as Record<string, unknown>);
    });
    try {
      await seen('ready');
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
      await seen('handler started');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const order = steps.filter((s) => s.step).map((s) => s.step);
      expect(order).toEqual(['handler started', 'loop ended', 'quiesce', 'handler used the client', 'client closed']);
      expect(steps.find((s) => s.step === 'handler used the client')).toMatchObject({ clientOpen: true });
      // Acknowledged before the close: nothing is left for another replica to redo.
      expect(await redis.xpending(`${prefix}:JOB_FAILED`, 'poller')).toEqual([0, null, null, null]);
    } finally {
      child.kill('SIGKILL');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.unlink(...keys);
      redis.disconnect();
    }
  });
});
