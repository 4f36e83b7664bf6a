import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { streamStats, type BusHooks, type RedisClient } from '@pixsim/bus';
import type { EventType, Keys } from '@pixsim/contracts';

/**
 * Prometheus view of the bus: handler outcomes and durations from the
 * consumer hooks, and lag / pending / dead letters of the streams this
 * service consumes, read from Redis at scrape time.
 */
export function createBusMetrics(
  registry: Registry,
  opts: { redis: RedisClient; keys: Keys; types: readonly EventType[]; group: string; maxLen?: number },
): BusHooks {
  const duration = new Histogram({
    name: 'pixsim_handler_duration_seconds',
    help: 'Time to settle one stream entry, by event type and outcome',
    labelNames: ['type', 'group', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const handled = new Counter({
    name: 'pixsim_handled_total',
    help: 'Stream entries settled, by event type, outcome and error code',
    labelNames: ['type', 'group', 'outcome', 'error_code'],
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'pixsim_dead_letters_total',
    help: 'Entries this service moved to a dead-letter stream',
    labelNames: ['type', 'group', 'code'],
    registers: [registry],
  });
  const gauges = {
    lag: new Gauge({
      name: 'pixsim_stream_lag',
      help: 'Entries not yet delivered to the group',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'pixsim_stream_pending',
      help: 'Entries delivered, not yet acknowledged',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    oldest: new Gauge({
      name: 'pixsim_stream_oldest_pending_seconds',
      help: 'Idle time of the oldest pending entry',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    length: new Gauge({
      name: 'pixsim_stream_length',
      help: 'Entries in the stream',
      labelNames: ['type'],
      registers: [registry],
    }),
    overBudget: new Gauge({
      name: 'pixsim_stream_over_budget',
      help: 'Whether a partition of the stream holds STREAM_MAX_LEN entries or more: publishes to it are refused',
      labelNames: ['type'],
      registers: [registry],
    }),
    missing: new Gauge({
      name: 'pixsim_stream_missing',
      help: 'Whether the stream (group empty) or the group does not exist: a lag of 0 there is no idle system',
      labelNames: ['type', 'group'],
      registers: [registry],
    }),
    dlq: new Gauge({
      name: 'pixsim_dlq_length',
      help: 'Entries in the dead-letter stream',
      labelNames: ['type'],
      registers: [registry],
    }),
  };

  // One Redis round of reads per scrape fills every stream gauge.
  let refreshing: Promise<void> | null = null;
  const refresh = () =>
    (refreshing ??= (async () => {
      try {
        for (const s of await streamStats(opts.redis, opts.keys, opts.types, { maxLen: opts.maxLen })) {
          gauges.length.set({ type: s.type }, s.length);
          gauges.dlq.set({ type: s.type }, s.deadLetters);
          gauges.overBudget.set({ type: s.type }, s.overBudget ? 1 : 0);
          gauges.missing.set({ type: s.type, group: '' }, s.missing ? 1 : 0);
          const g = s.groups.find((x) => x.group === opts.group);
          if (!g) continue;
          gauges.missing.set({ type: s.type, group: g.group }, g.missing ? 1 : 0);
          gauges.lag.set({ type: s.type, group: g.group }, g.lag ?? 0);
          gauges.pending.set({ type: s.type, group: g.group }, g.pending);
          gauges.oldest.set({ type: s.type, group: g.group }, (g.oldestPendingMs ?? 0) / 1000);
        }
      } catch {
        // Telemetry never breaks business code: a failed scrape keeps the last values.
      } finally {
        refreshing = null;
      }
    })());
  for (const gauge of Object.values(gauges)) {
    (gauge as unknown as { collect?: () => Promise<void> }).collect = refresh;
  }

  return {
    onHandled: ({ type, group, outcome, durationMs, errorCode }) => {
      duration.observe({ type, group, outcome }, durationMs / 1000);
      handled.inc({ type, group, outcome, error_code: errorCode ?? '' });
    },
    onDeadLetter: ({ type, group, code }) => deadLetters.inc({ type, group, code }),
  };
}
