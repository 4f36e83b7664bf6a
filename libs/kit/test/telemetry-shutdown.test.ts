import { describe, expect, it } from 'vitest';
import { collector, spawnServiceChild } from './helpers.js';

describe('runService shutdown with telemetry', () => {
  it('when a traced service gets SIGTERM, then the spans still in its batch are exported before it exits', async () => {
    const receiver = await collector();
    const svc = spawnServiceChild({
      nodeArgs: ['--import', '@pixsim/kit/telemetry-register'],
      env: {
        OTEL_SERVICE_NAME: 'asset',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Far longer than the test: only the flush at shutdown can deliver the spans.
        OTEL_BSP_SCHEDULE_DELAY: '600000',
      },
    });
    const names = () => receiver.spans.map((s) => s.name);
    try {
      await svc.seen((l) => l.ready === true, 'ready');
      await svc.publishJobFailed();
      await svc.seen((l) => l.step === 'handler used the client', 'the handler used the client');
      expect(names()).toEqual([]);
      expect(await svc.stop('SIGTERM')).toBe(0);
      expect(names().some((n) => n.startsWith('process ') && n.endsWith(':JOB_FAILED'))).toBe(true);
    } finally {
      await svc.cleanup();
      receiver.server.close();
    }
  }, 90_000);
});
