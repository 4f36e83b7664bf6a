import { describe, expect, it } from 'vitest';
import { StreamOverBudgetError, type Publisher } from '@pixsim/bus';
import { createSafePublish } from '../src/safe-publish.js';
import { HttpError } from '../src/http/errors.js';

const failing = (err: unknown): Publisher => ({
  publish: async () => {
    throw err;
  },
  publishMany: async () => {
    throw err;
  },
});

const input = {
  type: 'JOB_CANCEL_REQUESTED',
  id: 'job-1:JOB_CANCEL_REQUESTED',
  data: { job_id: 'job-1', requested_at: new Date().toISOString() },
} as Parameters<ReturnType<typeof createSafePublish>>[0];

describe('safe publish', () => {
  it('when a stream is over its budget, then the publish answers 503 STREAM_OVER_BUDGET with Retry-After', async () => {
    const publish = createSafePublish(failing(new StreamOverBudgetError('pixsim:JOB_REQUESTED', 10, 10, 7)), 1_000);
    const err = (await publish(input).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 503, code: 'STREAM_OVER_BUDGET', headers: { 'retry-after': '7' } });
  });

  it('when Redis fails otherwise, then it is still 503 DEPENDENCY_DOWN', async () => {
    const publish = createSafePublish(failing(new Error('connection closed')), 1_000);
    expect(await publish(input).catch((e: unknown) => e)).toMatchObject({ status: 503, code: 'DEPENDENCY_DOWN' });
  });

  it('when a publish hangs past the timeout, then it is 503 DEPENDENCY_DOWN, and ones that answer in time are not', async () => {
    const answers = new Map<string, number>([
      ['hangs', 60_000],
      ['in-time', 100],
    ]);
    const publisher: Publisher = {
      publish: (i) =>
        new Promise((resolve) => setTimeout(() => resolve({ streamId: '1-0' }), answers.get(i.id) ?? 0).unref()),
      publishMany: async () => [],
    };
    const publish = createSafePublish(publisher, 300);
    const started = Date.now();
    const [hung, quick, hungToo] = await Promise.all([
      publish({ ...input, id: 'hangs' }).catch((e: unknown) => e),
      publish({ ...input, id: 'in-time' }).then(() => 'ok'),
      publish({ ...input, id: 'hangs' }).catch((e: unknown) => e),
    ]);
    expect(quick).toBe('ok');
    for (const err of [hung, hungToo]) {
      expect(err).toMatchObject({ status: 503, code: 'DEPENDENCY_DOWN' });
      expect(((err as HttpError).cause as Error).message).toMatch(/took over 300 ms/);
    }
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(600); // the deadline, and at most a tenth of it late, plus scheduling
  });
});
