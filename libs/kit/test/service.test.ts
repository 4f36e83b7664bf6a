import { describe, expect, it } from 'vitest';
import { checkConsumers } from '../src/service.js';
import { spawnServiceChild } from './helpers.js';

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
    const svc = spawnServiceChild();
    const step = (name: string) => (l: Record<string, unknown>) => l.step === name;
    try {
      await svc.seen((l) => l.ready === true, 'ready');
      await svc.publishJobFailed();
      await svc.seen(step('handler started'), 'the handler started');
      expect(await svc.stop('SIGTERM')).toBe(0);
      const order = svc.lines.filter((l) => l.step).map((l) => l.step);
      expect(order).toEqual(['handler started', 'loop ended', 'quiesce', 'handler used the client', 'client closed']);
      expect(svc.lines.find(step('handler used the client'))).toMatchObject({ clientOpen: true });
      // Acknowledged before the close: nothing is left for another replica to redo.
      expect(await svc.redis.xpending(`${svc.prefix}:JOB_FAILED`, 'poller')).toEqual([0, null, null, null]);
    } finally {
      await svc.cleanup();
    }
  });
});
