import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '@pixsim/testkit';
import { createConsumer, createPublisher, type Consumer } from '../src/index.js';
import { jobCreated, pendingCount, testBus } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/hanging-consumer.ts', import.meta.url));
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('crash recovery', () => {
  it('when a consumer is SIGKILLed mid-handler, then another consumer handles the entry after the claim timeout', async () => {
    const t = testBus();
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: { ...process.env, PREFIX: t.prefix, REDIS_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    let survivor: Consumer | undefined;
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await survivor?.stop();
      await t.cleanup();
    });

    await waitFor(() => out.includes('READY'), { timeoutMs: 20_000, what: 'child consumer to start' });
    await publisher.publish(jobCreated(1));
    await waitFor(() => out.includes('HANDLING job-1:JOB_CREATED'), {
      timeoutMs: 10_000,
      what: 'child to take the entry',
    });
    // The claim timeout counts from the child's delivery, which came just before this.
    const deliveredBy = Date.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(await pendingCount(t.redis, t.keys.stream('JOB_CREATED'), 'dispatcher')).toBe(1);

    const handled: Array<{ id: string; deliveries: number; at: number }> = [];
    survivor = createConsumer({
      redis: t.redis,
      keys: t.keys,
      type: 'JOB_CREATED',
      group: 'dispatcher',
      consumer: 'survivor',
      claimTimeoutMs: 1_000,
      blockMs: 100,
      handler: async (e) => void handled.push({ id: e.id, deliveries: e.deliveries, at: Date.now() }),
    });
    await survivor.start();
    await waitFor(() => handled.length === 1, { timeoutMs: 10_000, what: 'takeover' });
    expect(handled[0]).toMatchObject({ id: 'job-1:JOB_CREATED', deliveries: 2 });
    expect(handled[0]!.at - deliveredBy).toBeGreaterThanOrEqual(900);
    await waitFor(async () => (await pendingCount(t.redis, t.keys.stream('JOB_CREATED'), 'dispatcher')) === 0, {
      timeoutMs: 5_000,
      what: 'ack',
    });
  });

  it('when a live handler runs longer than the claim timeout, then no other consumer takes its entry', async () => {
    const t = testBus();
    const publisher = createPublisher({ redis: t.redis, keys: t.keys });
    const seen: string[] = [];
    const make = (name: string, ms: number) =>
      createConsumer({
        redis: t.redis,
        keys: t.keys,
        type: 'JOB_CREATED',
        group: 'dispatcher',
        consumer: name,
        claimTimeoutMs: 300,
        blockMs: 50,
        handler: async () => {
          seen.push(name);
          await new Promise((r) => setTimeout(r, ms));
        },
      });
    const slow = make('slow', 1_500);
    await slow.start();
    await publisher.publish(jobCreated(1));
    await waitFor(() => seen.length === 1, { timeoutMs: 5_000, what: 'slow consumer to start' });
    const other = make('other', 0);
    await other.start();
    cleanups.push(async () => {
      await Promise.all([slow.stop(), other.stop()]);
      await t.cleanup();
    });
    await new Promise((r) => setTimeout(r, 1_800));
    expect(seen).toEqual(['slow']);
  });
});
