import { Counter, Gauge, type Registry } from 'prom-client';

export type PollOutcome = 'pending' | 'completed' | 'failed' | 'moderated' | 'deleted' | 'timeout' | 'error';

/** What the loop reports; a no-op implementation keeps unit tests free of prom-client. */
export interface PollMetrics {
  polled(outcome: PollOutcome): void;
  pollError(kind: string): void;
  callStarted(): void;
  callEnded(): void;
}

export const noPollMetrics: PollMetrics = { polled() {}, pollError() {}, callStarted() {}, callEnded() {} };

/**
 * Prometheus view of the loop on the service registry. The polling gauge is read from the
 * store at scrape time; a failed read keeps the last value (telemetry never breaks the loop).
 */
export function createPollMetrics(registry: Registry, countPolling: () => Promise<number>): PollMetrics {
  const polls = new Counter({
    name: 'pixsim_polls_total',
    help: 'Provider status polls, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'pixsim_poll_errors_total',
    help: 'Failed provider status polls, by error kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const calls = new Gauge({
    name: 'pixsim_poll_calls_in_flight',
    help: 'Provider status calls running now',
    registers: [registry],
  });
  new Gauge({
    name: 'pixsim_generations_polling',
    help: 'Generations in flight at the provider, followed by the poller',
    registers: [registry],
    async collect() {
      try {
        this.set(await countPolling());
      } catch {
        // keep the last value
      }
    },
  });
  return {
    polled: (outcome) => polls.inc({ outcome }),
    pollError: (kind) => errors.inc({ kind }),
    callStarted: () => calls.inc(),
    callEnded: () => calls.dec(),
  };
}
