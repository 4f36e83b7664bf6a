import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A registry per service (never prom-client's global one) with process/runtime
 * default metrics and `service="<name>"` on every series.
 */
export function createMetricsRegistry(service: string, opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

export { Registry } from 'prom-client';
