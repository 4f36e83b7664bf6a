import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '@pixsim/contracts';
import { Redis } from 'ioredis';
import { REDIS_URL, sleep, waitFor } from '@pixsim/testkit';
import {
  createConsumer,
  createPublisher,
  ensureGroup,
  listDeadLetters,
  type Consumer,
  type ConsumedEvent,
} from '../src/index.js';
import { blockingConnection, readGroup, type Partition } from '../src/partition.js';
import { jobCreated, pendingCount, testBus } from './helpers.js';

const fast = { blockMs: 100, backoff: { baseMs: 5, maxMs: 20 } };
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function setup() {
  const bus = testBus();
  const publisher = createPublisher({ redis: bus.redis, keys: bus.keys });
  const consumers: Consumer[] = [];
  cleanups.push(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await bus.cleanup();
  });
  const consume = (
    group: string,
    consumer: string,
    handler: (e: ConsumedEvent<'JOB_CREATED'>) => Promise<void>,
    extra = {},
  ) => {
    const c = createConsumer({
      redis: bus.redis,
      keys: bus.keys,
      type: 'JOB_CREATED',
      group,
      consumer,
      handler,
      ...fast,
      ...extra,
    });
    consumers.push(c);
    return c;
  };
  /** Resolves once the JOB_CREATED dead-letter stream holds one entry. */
  const deadLettered = () =>
    waitFor(async () => (await bus.redis.xlen(bus.keys.deadLetter('JOB_CREATED'))) === 1, {
      timeoutMs: 5_000,
      what: 'dead letter',
    });
  return { ...bus, publisher, consume, deadLettered, stream: bus.keys.stream('JOB_CREATED') };
}

describe('consumer groups', () => {
  it('when two groups consume one stream, then each group gets every entry', async () => {
    const t = setup();
    const seen = { dispatcher: new Set<string>(), gateway: new Set<string>() };
    for (const group of ['dispatcher', 'gateway'] as const) {
      await t.consume(group, 'c1', async (e) => void seen[group].add(e.id)).start();
    }
    await t.publisher.publishMany(Array.from({ length: 100 }, (_, i) => jobCreated(i)));
    await waitFor(() => seen.dispatcher.size === 100 && seen.gateway.size === 100, {
      timeoutMs: 10_000,
      what: 'both groups',
    });
    // Acks follow the handlers within a few milliseconds (they are batched).
    for (const group of ['dispatcher', 'gateway']) {
      await waitFor(async () => (await pendingCount(t.redis, t.stream, group)) === 0, {
        timeoutMs: 2_000,
        what: `${group} acks`,
      });
    }
  });

  it('when two consumers share a group, then no entry is handled by both', async () => {
    const t = setup();
    const handledBy = new Map<string, string[]>();
    for (const name of ['a', 'b']) {
      await t
        .consume(
          'dispatcher',
          name,
          async (e) => {
            handledBy.set(e.id, [...(handledBy.get(e.id) ?? []), name]);
            await sleep(2);
          },
          { concurrency: 5 },
        )
        .start();
    }
    await t.publisher.publishMany(Array.from({ length: 400 }, (_, i) => jobCreated(i)));
    await waitFor(() => handledBy.size === 400, { timeoutMs: 15_000, what: '400 entries' });
    await sleep(200);
    const twice = [...handledBy.values()].filter((names) => names.length > 1);
    expect(twice).toEqual([]);
    const byA = [...handledBy.values()].filter((n) => n[0] === 'a').length;
    expect(byA).toBeGreaterThan(0);
    expect(byA).toBeLessThan(400);
  });

  it('when handlers are slow, then no more than the concurrency cap run at once', async () => {
    const t = setup();
    let running = 0;
    let peak = 0;
    let done = 0;
    await t
      .consume(
        'dispatcher',
        'c1',
        async () => {
          peak = Math.max(peak, ++running);
          await sleep(15);
          running--;
          done++;
        },
        { concurrency: 4, claimTimeoutMs: 300 },
      )
      .start();
    await t.publisher.publishMany(Array.from({ length: 60 }, (_, i) => jobCreated(i)));
    await waitFor(() => done === 60, { timeoutMs: 10_000, what: '60 handled' });
    expect(peak).toBe(4);
  });
});

describe('retries and dead letters', () => {
  it('when a handler fails transiently then succeeds, then the entry is acked and not dead-lettered', async () => {
    const t = setup();
    const attempts: number[] = [];
    let ok = false;
    await t
      .consume('dispatcher', 'c1', async (e) => {
        attempts.push(e.attempt);
        if (e.attempt < 3) throw new TransientError('mongo hiccup');
        ok = true;
      })
      .start();
    await t.publisher.publish(jobCreated(1));
    await waitFor(() => ok, { timeoutMs: 5_000, what: 'success after retries' });
    expect(attempts).toEqual([1, 2, 3]);
    await waitFor(async () => (await pendingCount(t.redis, t.stream, 'dispatcher')) === 0, {
      timeoutMs: 2_000,
      what: 'ack',
    });
    expect(await t.redis.xlen(t.keys.deadLetter('JOB_CREATED'))).toBe(0);
  });

  it('when a handler keeps failing, then after maxAttempts the entry is dead-lettered with the reason, and each log line names the event and the job', async () => {
    const t = setup();
    let calls = 0;
    const logged: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
    const at = (level: string) => (obj: object, msg?: string) =>
      void logged.push({ level, obj: obj as Record<string, unknown>, msg });
    await t
      .consume(
        'dispatcher',
        'c1',
        async () => {
          calls++;
          throw new Error('bug: cannot read property x');
        },
        { maxAttempts: 3, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } },
      )
      .start();
    await t.publisher.publish(jobCreated(1));
    await t.deadLettered();
    expect(calls).toBe(3);
    const [letter] = await listDeadLetters(t.redis, t.keys, 'JOB_CREATED');
    expect(letter).toMatchObject({
      reason: 'bug: cannot read property x',
      code: 'HANDLER_FAILED',
      group: 'dispatcher',
      consumer: 'c1',
    });
    expect(letter!.fields.id).toBe('job-1:JOB_CREATED');
    expect(JSON.parse(letter!.fields.data!).job_id).toBe('job-1');
    expect(await pendingCount(t.redis, t.stream, 'dispatcher')).toBe(0);
    const lines = logged.filter((l) => l.level === 'warn' || l.level === 'error');
    expect(lines.map((l) => l.msg)).toEqual([
      'handler failed; retrying',
      'handler failed; retrying',
      'entry moved to the dead-letter stream',
    ]);
    for (const l of lines) expect(l.obj).toMatchObject({ event_id: 'job-1:JOB_CREATED', job_id: 'job-1' });
  });

  it('when a handler throws a PermanentError, then the entry is dead-lettered at once', async () => {
    const t = setup();
    let calls = 0;
    await t
      .consume('dispatcher', 'c1', async () => {
        calls++;
        throw new PermanentError('unknown provider', { code: 'UNKNOWN_PROVIDER' });
      })
      .start();
    await t.publisher.publish(jobCreated(1));
    await t.deadLettered();
    expect(calls).toBe(1);
    expect((await listDeadLetters(t.redis, t.keys, 'JOB_CREATED'))[0]!.code).toBe('UNKNOWN_PROVIDER');
  });

  it('when entries are malformed, then they go to the dead-letter stream at once and good ones still flow', async () => {
    const t = setup();
    const handled: string[] = [];
    await t.consume('dispatcher', 'c1', async (e) => void handled.push(e.id)).start();
    await t.redis.xadd(t.stream, '*', 'garbage', 'yes');
    // An envelope whose data breaks the schema, then one whose data is not JSON.
    const envelope = (id: string, data: string) =>
      t.redis.xadd(
        t.stream,
        '*',
        'id',
        id,
        'type',
        'JOB_CREATED',
        'v',
        '1',
        'at',
        new Date().toISOString(),
        'data',
        data,
      );
    await envelope('x', '{"job_id":5}');
    await envelope('y', '{not json');
    await t.publisher.publish(jobCreated(7));
    await waitFor(() => handled.length === 1, { timeoutMs: 5_000, what: 'good entry' });
    await waitFor(async () => (await t.redis.xlen(t.keys.deadLetter('JOB_CREATED'))) === 3, {
      timeoutMs: 5_000,
      what: 'three dead letters',
    });
    const letters = await listDeadLetters(t.redis, t.keys, 'JOB_CREATED');
    expect(letters.map((l) => l.code)).toEqual(['SCHEMA_INVALID', 'SCHEMA_INVALID', 'SCHEMA_INVALID']);
    expect(letters[1]!.reason).toMatch(/job_id/);
    expect(letters.every((l) => l.deliveries === 1)).toBe(true);
    expect(handled).toEqual(['job-7:JOB_CREATED']);
  });

  it('when an entry was delivered more than maxDeliveries times, then it is dead-lettered instead of handled', async () => {
    const t = setup();
    await t.redis.xgroup('CREATE', t.stream, 'dispatcher', '0', 'MKSTREAM');
    await t.publisher.publish(jobCreated(1));
    await t.redis.xreadgroup('GROUP', 'dispatcher', 'crasher', 'COUNT', 1, 'STREAMS', t.stream, '>');
    const id = ((await t.redis.xrange(t.stream, '-', '+')) as [string, string[]][])[0]![0];
    for (let i = 0; i < 4; i++) await t.redis.xclaim(t.stream, 'dispatcher', 'crasher', 0, id!);
    let calls = 0;
    await t.consume('dispatcher', 'c1', async () => void calls++, { maxDeliveries: 5, claimTimeoutMs: 60 }).start();
    await t.deadLettered();
    expect(calls).toBe(0);
    expect((await listDeadLetters(t.redis, t.keys, 'JOB_CREATED'))[0]).toMatchObject({
      code: 'DELIVERIES_EXCEEDED',
      deliveries: 6,
    });
  });
});

describe('flow control', () => {
  it('when paused, then nothing is read; when resumed, then the backlog is handled', async () => {
    const t = setup();
    const handled = new Set<string>();
    const c = t.consume('dispatcher', 'c1', async (e) => void handled.add(e.id));
    await c.start();
    c.pause();
    await sleep(150); // let the read already waiting finish
    await t.publisher.publishMany(Array.from({ length: 20 }, (_, i) => jobCreated(i)));
    await sleep(400);
    expect(handled.size).toBe(0);
    expect(c.paused).toBe(true);
    c.resume();
    await waitFor(() => handled.size === 20, { timeoutMs: 5_000, what: 'backlog' });
  });

  it('when stopped mid-work, then in-flight handlers finish and ack, and a restart handles the rest exactly once', async () => {
    const t = setup();
    const started = new Set<string>();
    const finished = new Set<string>();
    const handler = async (e: ConsumedEvent<'JOB_CREATED'>) => {
      started.add(e.id);
      await sleep(20);
      finished.add(e.id);
    };
    const first = t.consume('dispatcher', 'c1', handler, { concurrency: 8 });
    await first.start();
    await t.publisher.publishMany(Array.from({ length: 200 }, (_, i) => jobCreated(i)));
    await waitFor(() => finished.size >= 40, { timeoutMs: 10_000, what: 'some progress' });
    await first.stop();
    expect([...started].filter((id) => !finished.has(id))).toEqual([]);
    expect(await pendingCount(t.redis, t.stream, 'dispatcher')).toBe(0);
    const firstRun = finished.size;
    expect(firstRun).toBeLessThan(200);

    const secondRun = new Set<string>();
    await t.consume('dispatcher', 'c1', async (e) => void secondRun.add(e.id), { concurrency: 8 }).start();
    await waitFor(() => firstRun + secondRun.size >= 200, { timeoutMs: 10_000, what: 'the rest' });
    expect([...secondRun].filter((id) => finished.has(id))).toEqual([]);
    expect(new Set([...finished, ...secondRun]).size).toBe(200);
  });
});

describe('the blocking read connection', () => {
  it('when the services share an auto-pipelined client, then reads block on a copy without auto-pipelining, one command each', async () => {
    const bus = testBus();
    const shared = new Redis(REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
    const blocking = blockingConnection(shared);
    cleanups.push(async () => {
      blocking.disconnect();
      shared.disconnect();
      await bus.cleanup();
    });
    expect(blocking.options.enableAutoPipelining).toBe(false);
    // An auto-pipelined command is sent through a pipeline built for it; a plain one is not.
    let pipelines = 0;
    const pipeline = blocking.pipeline.bind(blocking);
    blocking.pipeline = ((...args: Parameters<typeof pipeline>) => {
      pipelines += 1;
      return pipeline(...args);
    }) as typeof blocking.pipeline;
    const stream = bus.keys.stream('JOB_CREATED');
    await ensureGroup(shared, stream, 'g', '0');
    const p = { stream, blocking, held: 0 } as unknown as Partition;
    const reads = await Promise.all(
      [1, 2, 3].map(() => readGroup(p, { group: 'g', consumer: 'c', from: '>', count: 1, blockMs: 20 })),
    );
    expect(reads).toEqual([[], [], []]);
    expect(pipelines).toBe(0);
  });
});
