import { describe, expect, it } from 'vitest';
import { SERVICES } from '@pixsim/contracts';
import { definedPixsimMetrics, parseYamlDocs, readRepoFile } from './manifests.js';

const RULES = 'k8s/base/monitoring/prometheus-rules.yaml';
const DASHBOARD = 'k8s/base/monitoring/pixsim-dashboard.json';

/** prom-client's default process metrics (collectDefaultMetrics) the dashboard may use. */
const DEFAULT_METRICS = new Set([
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'nodejs_eventloop_lag_p99_seconds',
]);

/** Metric names an expression reads (histogram series map back to their metric). */
function metricsIn(expr: string): string[] {
  const names = expr.match(/\b(pixsim_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g) ?? [];
  return names.map((n) => n.replace(/_(bucket|sum|count)$/, ''));
}

function dashboardExprs(): string[] {
  const dash = JSON.parse(readRepoFile(DASHBOARD));
  return dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr as string));
}

function ruleExprs(): { alert: string; expr: string }[] {
  const [rule] = parseYamlDocs(readRepoFile(RULES), RULES);
  return rule!.spec.groups.flatMap((g: any) => g.rules.map((r: any) => ({ alert: r.alert, expr: String(r.expr) })));
}

describe('alerts and dashboard', () => {
  const defined = definedPixsimMetrics();

  it('when the sources are read, then the metrics the alerts rely on are found (the scan itself works)', () => {
    for (const m of [
      'pixsim_stream_lag',
      'pixsim_dead_letters_total',
      'pixsim_circuit_breaker_state',
      'pixsim_handled_total',
    ]) {
      expect(defined).toContain(m);
    }
  });

  it('when an alert or a panel names a metric, then the code defines it', () => {
    const used = [...ruleExprs().map((r) => r.expr), ...dashboardExprs()].flatMap(metricsIn);
    expect(used.length).toBeGreaterThan(10);
    const unknown = [...new Set(used)].filter((m) => !defined.has(m) && !DEFAULT_METRICS.has(m));
    expect(unknown).toEqual([]);
  });

  it('when the stream gauges are aggregated, then with max (every replica reports the same Redis numbers), never sum', () => {
    const gauges = [
      'pixsim_stream_lag',
      'pixsim_stream_pending',
      'pixsim_stream_oldest_pending_seconds',
      'pixsim_stream_length',
      'pixsim_dlq_length',
    ];
    for (const expr of [...ruleExprs().map((r) => r.expr), ...dashboardExprs()]) {
      for (const g of gauges) expect(expr, expr).not.toMatch(new RegExp(`sum[^(]*\\([^()]*\\b${g}\\b`));
    }
  });

  it('when the dashboard is imported, then every panel queries Prometheus through the datasource variable', () => {
    const dash = JSON.parse(readRepoFile(DASHBOARD));
    expect(dash.uid).toBe('pixsim-overview');
    expect(dash.templating.list.map((v: any) => v.name)).toContain('datasource');
    const ids = dash.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dash.panels.filter((x: any) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets.length, p.title).toBeGreaterThan(0);
    }
    const services = dashboardExprs().join('\n');
    for (const s of SERVICES) expect(services).toContain(s);
  });
});
