import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState, VideoProvider } from './provider-port.js';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Prometheus view of a provider's circuit breakers: state (0 closed, 1 half-open,
 * 2 open), transitions, and the rolling-window counters opossum keeps
 * (fires, successes, failures, rejects, timeouts), read at scrape time.
 */
export function registerBreakerMetrics(
  registry: Registry,
  provider: Pick<VideoProvider, 'id' | 'breakers' | 'onBreakerChange'>,
): void {
  const state = new Gauge({
    name: 'pixsim_circuit_breaker_state',
    help: 'Provider circuit breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'name'],
    registers: [registry],
    collect() {
      for (const b of provider.breakers()) this.set({ provider: provider.id, name: b.name }, STATE_VALUE[b.state]);
    },
  });
  const transitions = new Counter({
    name: 'pixsim_circuit_breaker_transitions_total',
    help: 'Circuit breaker state changes',
    labelNames: ['provider', 'name', 'state'],
    registers: [registry],
  });
  new Gauge({
    name: 'pixsim_circuit_breaker_window_calls',
    help: "Calls in the breaker's rolling window, by outcome",
    labelNames: ['provider', 'name', 'outcome'],
    registers: [registry],
    collect() {
      for (const b of provider.breakers()) {
        for (const outcome of ['fires', 'successes', 'failures', 'rejects', 'timeouts'] as const) {
          this.set({ provider: provider.id, name: b.name, outcome }, b.stats[outcome]);
        }
      }
    },
  });
  void state;
  provider.onBreakerChange((name, next) => transitions.inc({ provider: provider.id, name, state: next }));
}
