import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  /** The span as exported (attributes, events, links, status), to look for payloads in. */
  raw: string;
}

/** A minimal OTLP/HTTP (JSON) trace receiver: what an OpenTelemetry collector would get. */
const spans: ReceivedSpan[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      const parsed = JSON.parse(body) as {
        resourceSpans?: Array<{ resource?: { attributes?: Attr[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
      };
      for (const rs of parsed.resourceSpans ?? []) {
        const service = String(attr(rs.resource?.attributes, 'service.name') ?? '');
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              service,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, attrValue(a.value)])),
              raw: JSON.stringify(s),
            });
          }
        }
      }
    } catch {
      // not JSON: ignore
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
type Attr = { key: string; value: Record<string, unknown> };
type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Attr[];
};
const attrValue = (v: Record<string, unknown>) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
const attr = (attrs: Attr[] | undefined, key: string) => {
  const found = attrs?.find((a) => a.key === key);
  return found ? attrValue(found.value) : undefined;
};
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

/** A client's callback endpoint: counts the callbacks it gets. */
let callbacksReceived = 0;
const hookServer = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    callbacksReceived++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
const hookBase = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}`;
const SIM_KEY = 'sim-key-trace';

const SERVER = 2;
const CLIENT = 3;
const SERVICES = ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'];

describe('one trace per job, end to end', () => {
  const system = useTestSystem({
    simulator: { latencyMs: 500, accounts: [{ apiKey: SIM_KEY, credits: 1_000_000, maxConcurrent: 5 }] },
    env: { POLL_INTERVAL_S: '1', OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_BSP_SCHEDULE_DELAY: '200' },
    serviceEnv: { gateway: { CALLBACK_SECRET: 'trace-callback-secret-0123456789', CALLBACK_ALLOW_PRIVATE: 'true' } },
  });

  it('when a job with a callback runs, then no exported span holds its prompt, its callback URL or the account key', async () => {
    const sys = system();
    const prompt = `a paper crane over a secret garden ${Date.now()}`;
    const token = `tok${Date.now()}`;
    const callbackUrl = `${hookBase}/hooks/client-private-path?token=${token}`;
    const job = await submitJob(sys, prompt, {}, { callback_url: callbackUrl });
    expect(await sys.waitForJob(job, (j) => Boolean(j.asset_id), 30_000)).toMatchObject({ status: 'COMPLETED' });
    await expect.poll(() => callbacksReceived, { timeout: 20_000 }).toBeGreaterThan(0);
    const traceOf = () =>
      spans.find((s) => s.service === 'gateway' && s.name.startsWith('send') && s.name.endsWith(':JOB_REQUESTED'))
        ?.traceId;
    // The whole run, every service, and the callback POST (its own trace, from the gateway's callback worker).
    await expect
      .poll(() => spans.some((s) => s.kind === CLIENT && s.raw.includes(hookBase)), { timeout: 20_000 })
      .toBe(true);
    await expect
      .poll(() => new Set(spans.filter((s) => s.traceId === traceOf()).map((s) => s.service)).size, {
        timeout: 20_000,
      })
      .toBe(5);
    const everything = spans.map((s) => s.raw).join('\n');
    for (const secret of [prompt, 'secret garden', callbackUrl, 'client-private-path', token, SIM_KEY]) {
      expect(everything, secret).not.toContain(secret);
    }
    // Redis spans still say what was done, and where.
    expect(
      spans.some((s) =>
        /^EVALSHA \S+/.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '')),
      ),
    ).toBe(true);
  });

  it('when a job runs, then one trace holds spans of all five services, from the HTTP request to ASSET_CREATED, with the PixVerse calls inside', async () => {
    const sys = system();
    const job = await submitJob(sys, 'a lantern drifting on a lake');
    expect(await sys.waitForJob(job, (j) => Boolean(j.asset_id), 30_000)).toMatchObject({ status: 'COMPLETED' });

    const traceOf = () =>
      spans.find((s) => s.service === 'gateway' && s.name.endsWith(':JOB_REQUESTED') && s.name.startsWith('send'))
        ?.traceId;
    await expect
      .poll(
        () => {
          const t = traceOf();
          return t ? new Set(spans.filter((s) => s.traceId === t).map((s) => s.service)).size : 0;
        },
        { timeout: 20_000 },
      )
      .toBe(5);
    await expect
      .poll(
        () =>
          spans.some((s) => s.traceId === traceOf() && s.name.startsWith('send') && s.name.endsWith(':ASSET_CREATED')),
        { timeout: 10_000 },
      )
      .toBe(true);

    const trace = spans.filter((s) => s.traceId === traceOf());
    expect([...new Set(trace.map((s) => s.service))].sort()).toEqual([...SERVICES].sort());
    // It starts at the HTTP request…
    expect(trace.some((s) => s.service === 'gateway' && s.kind === SERVER)).toBe(true);
    // …and the provider's HTTP calls (submit by the dispatcher, status by the poller) are in it.
    const providerCalls = trace.filter(
      (s) => s.kind === CLIENT && JSON.stringify(s.attributes).includes('/openapi/v2/'),
    );
    expect(new Set(providerCalls.map((s) => s.service))).toEqual(new Set(['dispatcher', 'poller']));
    // Every consumer span has its producer in the same trace.
    const ids = new Set(trace.map((s) => s.spanId));
    const consumers = trace.filter((s) => s.name.startsWith('process '));
    expect(consumers.length).toBeGreaterThanOrEqual(5);
    expect(consumers.filter((s) => !ids.has(s.parentSpanId))).toEqual([]);
  });

  it('when every service is scraped, then /metrics carries the handler, stream, breaker, account, outcome and HTTP metrics', async () => {
    const sys = system();
    const scrape = async (service: string) => {
      const base =
        service === 'gateway' ? sys.gatewayUrl! : `http://127.0.0.1:${(sys.ports as Record<string, number>)[service]}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const has = (text: string, name: string) =>
      text.split('\n').some((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    const common = [
      'pixsim_handler_duration_seconds_bucket',
      'pixsim_handled_total',
      'pixsim_stream_lag',
      'pixsim_stream_pending',
      'pixsim_stream_oldest_pending_seconds',
      'pixsim_dlq_length',
      'process_resident_memory_bytes',
    ];
    const own: Record<string, string[]> = {
      gateway: ['pixsim_http_request_duration_seconds_bucket'],
      'job-intake': ['pixsim_job_outcomes_total'],
      dispatcher: [
        'pixsim_circuit_breaker_state',
        'pixsim_circuit_breaker_window_calls',
        'pixsim_account_in_flight',
        'pixsim_accounts',
        'pixsim_dispatch_total',
      ],
      poller: [
        'pixsim_polls_total',
        'pixsim_generations_polling',
        'pixsim_circuit_breaker_state',
        'pixsim_circuit_breaker_window_calls',
      ],
      asset: [],
    };
    for (const service of SERVICES) {
      const text = await scrape(service);
      const missing = [...common, ...own[service]!].filter((name) => !has(text, name));
      expect(missing, `${service} /metrics`).toEqual([]);
      expect(text).toContain(`service="${service}"`);
    }
    expect(await scrape('job-intake')).toMatch(
      /pixsim_job_outcomes_total\{status="COMPLETED",error_code="",service="job-intake"\} [1-9]/,
    );
  });

  it('when every service is asked /ready, then each checks the dependencies it uses: the gateway NATS too, for live updates', async () => {
    const sys = system();
    const checks = async (service: string) => {
      const base =
        service === 'gateway' ? sys.gatewayUrl! : `http://127.0.0.1:${(sys.ports as Record<string, number>)[service]}`;
      const res = await fetch(`${base}/ready`);
      expect(res.status, service).toBe(200);
      return Object.keys(((await res.json()) as { checks: Record<string, string> }).checks).sort();
    };
    expect(await checks('gateway')).toEqual(['mongodb', 'nats', 'redis']);
    for (const service of ['job-intake', 'dispatcher', 'poller', 'asset'])
      expect(await checks(service), service).toEqual(expect.arrayContaining(['mongodb', 'redis']));
  });
});
