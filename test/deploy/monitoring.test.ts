import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '@pixsim/contracts';
import { definedPixsimMetrics, parseYamlDocs, readRepoFile, REPO_ROOT } from './manifests.js';

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

function alerts(): any[] {
  const [rule] = parseYamlDocs(readRepoFile(RULES), RULES);
  return rule!.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert);
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

  it('when an alert fires, then its runbook_url names docs/operations/runbooks/<alert>.md, and that page exists and says what to do', () => {
    const list = alerts();
    expect(list.length).toBeGreaterThan(10);
    for (const a of list) {
      const url = String(a.annotations?.runbook_url ?? '');
      expect(url, a.alert).toMatch(new RegExp(`/docs/operations/runbooks/${a.alert}\\.md$`));
      const file = path.join(REPO_ROOT, 'docs/operations/runbooks', `${a.alert}.md`);
      expect(fs.existsSync(file), `${a.alert}: runbook missing`).toBe(true);
      const page = fs.readFileSync(file, 'utf8');
      for (const heading of ['## What it means', '## How to look', '## What to do'])
        expect(page, `${a.alert} runbook: ${heading}`).toContain(heading);
    }
    // No orphan pages: every runbook belongs to an alert.
    const pages = fs.readdirSync(path.join(REPO_ROOT, 'docs/operations/runbooks')).filter((f) => f.endsWith('.md'));
    expect(pages.filter((f) => f !== 'README.md').sort()).toEqual(list.map((a) => `${a.alert}.md`).sort());
  });

  it('when a rule queries Prometheus, then it keeps the namespace (two installs never mix, each alert says where)', () => {
    for (const r of ruleExprs()) expect(r.expr, r.alert ?? r.expr).toMatch(/namespace/);
  });

  it("when the SLOs are watched, then the API's errors and latency, job failures by code, end-to-end job latency and stalls each have an alert on the metric that measures them", () => {
    const byName = new Map(alerts().map((a) => [a.alert, String(a.expr)]));
    const rules = ruleExprs()
      .map((r) => r.expr)
      .join('\n');
    expect(byName.get('PixsimApiErrorBudgetBurnFast')).toContain('pixsim:http_errors:ratio_rate5m');
    expect(rules).toMatch(/pixsim_http_request_duration_seconds_count\{status_code=~"5\.\."\}/);
    expect(byName.get('PixsimApiLatencyHigh')).toContain('pixsim_http_request_duration_seconds_bucket');
    expect(byName.get('PixsimJobFailureRateHigh')).toMatch(
      /by \(namespace, error_code\) \(rate\(pixsim_job_outcomes_total\{status="FAILED"\}/,
    );
    expect(byName.get('PixsimJobLatencyHigh')).toContain('pixsim_job_end_to_end_seconds_bucket');
    // Stalled: lag and no acks; pending past the claim timeout (60 s).
    expect(byName.get('PixsimConsumerGroupStalled')).toMatch(
      /pixsim_stream_lag[\s\S]*unless[\s\S]*pixsim_handled_total/,
    );
    expect(byName.get('PixsimOldestPendingStuck')).toMatch(/pixsim_stream_oldest_pending_seconds\) > 60$/m);
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
    // One install at a time: every query is scoped to the namespace picked at the top.
    expect(dash.templating.list.map((v: any) => v.name)).toContain('namespace');
    for (const expr of dashboardExprs())
      for (const m of expr.matchAll(/\b(?:pixsim|process|nodejs)_[a-z0-9_]+(\{[^}]*\})?/g))
        expect(m[1] ?? '', `${expr}: ${m[0]}`).toContain('namespace="$namespace"');
    const services = dashboardExprs().join('\n');
    for (const s of SERVICES) expect(services).toContain(s);
  });
});
