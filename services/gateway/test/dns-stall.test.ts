import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostResolver, TooManyLookupsError } from '../src/jobs/host-resolver.js';
import { systemResolver, type ResolveHost } from '../src/jobs/public-url.js';
import { bearer, createHarness, signUp, type Harness } from './helpers.js';

/**
 * A nameserver that never answers must not stall the replica. The resolver
 * under test is c-ares pointed (DNS_SERVERS) at a UDP socket that reads and
 * drops. `DNS_STALL_RESOLVER=lookup` runs the same scenario through
 * `dns.lookup` instead (what the gateway did before), for a measurement: run it
 * where /etc/resolv.conf names a silent server (e.g. a mount namespace whose
 * resolv.conf says `nameserver 127.77.0.53`, with a UDP socket there that reads
 * and drops). It prints the p99 either way.
 */
const viaLookup = process.env.DNS_STALL_RESOLVER === 'lookup';
const LOOKUP_TIMEOUT_MS = 3_000;

async function silentNameserver(address: string, port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', () => {}); // read and drop: the client waits for an answer that never comes
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  return socket;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

let h: Harness;
let sinks: Socket[] = [];
let resolveHost: ResolveHost;
let lookups = 0;
beforeAll(async () => {
  const sink = await silentNameserver('127.0.0.1');
  sinks.push(sink);
  resolveHost = viaLookup
    ? systemResolver
    : createHostResolver({
        servers: [`127.0.0.1:${sink.address().port}`],
        timeoutMs: LOOKUP_TIMEOUT_MS,
        maxPerUser: 4,
        maxInFlight: 64,
      });
  // Counts the POSTs that reached their lookup, so latencies are measured while all 20 are stalled in DNS.
  const inner = resolveHost;
  resolveHost = (host, userId) => {
    lookups++;
    return inner(host, userId);
  };
  h = await createHarness({ resolveHost });
});
afterAll(async () => {
  await h.close();
  for (const s of sinks) s.close();
  sinks = [];
});

describe('DNS of user-supplied hosts', () => {
  it('when 20 jobs name a host whose nameserver never answers, then other requests stay fast and the jobs are refused IMAGE_URL_UNRESOLVABLE', async () => {
    const user = await signUp(h.app);
    const me = () => h.app.inject({ method: 'GET', url: '/api/v1/users/me', headers: bearer(user.token) });
    const sample = async (until: number, into: number[]) => {
      while (Date.now() < until) {
        const batch = await Promise.all(
          Array.from({ length: 4 }, async () => {
            const t0 = performance.now();
            const res = await me();
            expect(res.statusCode).toBe(200);
            return performance.now() - t0;
          }),
        );
        into.push(...batch);
      }
    };
    // The same requests with nothing stalled: on a loaded machine the bound is relative to this.
    const baseline: number[] = [];
    await sample(Date.now() + 1_500, baseline);

    const started = Date.now();
    const posts = Array.from({ length: 20 }, () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: bearer(user.token),
        payload: {
          operation_type: 'image_to_video',
          params: {
            prompt: 'a cat',
            model: 'v5',
            quality: '540p',
            duration: 5,
            image_url: 'https://stall.example.com/cat.png',
          },
        },
      }),
    );
    while (lookups < 20 && Date.now() - started < LOOKUP_TIMEOUT_MS) await new Promise((r) => setTimeout(r, 5));
    expect(lookups).toBe(20);
    const latencies: number[] = [];
    await sample(started + LOOKUP_TIMEOUT_MS - 100, latencies);
    const answers = await Promise.all(posts);
    if (process.env.DNS_STALL_VERBOSE) console.log(latencies.map((l) => l.toFixed(0)).join(' '));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const baseP99 = percentile(baseline, 99);
    console.log(
      `dns stall (${viaLookup ? 'dns.lookup' : 'c-ares'}): GET /users/me idle n=${baseline.length} p50=${percentile(baseline, 50).toFixed(1)} p99=${baseP99.toFixed(1)} ms; stalled n=${latencies.length} p50=${p50.toFixed(1)} ms p99=${p99.toFixed(1)} ms; POST answers ${[...new Set(answers.map((a) => `${a.statusCode} ${a.json().error?.code}`))].join(', ')}`,
    );
    if (viaLookup) return; // the measurement of the old path; its assertions are the point of the fix
    // 150 ms on a quiet machine; on a loaded one (other test files share two cores), no worse
    // than three times the same requests' idle p99. The stall this guards against costs
    // seconds per request (the lookup timeout), far past either bound.
    expect(p99).toBeLessThan(Math.max(150, 3 * baseP99));
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'IMAGE_URL_UNRESOLVABLE',
        details: [{ field: 'params.image_url', message: expect.stringContaining('did not resolve in time') }],
      });
    }
  });

  it('when one user starts more distinct lookups than allowed, then the extra ones get 429 and others are not held', async () => {
    if (viaLookup) return;
    const sink = await silentNameserver('127.0.0.1');
    sinks.push(sink);
    const resolve = createHostResolver({
      servers: [`127.0.0.1:${sink.address().port}`],
      timeoutMs: 500,
      maxPerUser: 2,
      maxInFlight: 3,
    });
    const first = [resolve('a.stall.test', 'u1'), resolve('b.stall.test', 'u1')];
    await expect(resolve('c.stall.test', 'u1')).rejects.toBeInstanceOf(TooManyLookupsError);
    const other = resolve('d.stall.test', 'u2'); // another user still gets a lookup
    await expect(resolve('e.stall.test', 'u3')).rejects.toMatchObject({ code: 'EBUSY' }); // the replica's cap
    const shared = resolve('a.stall.test', 'u3'); // the same name joins the query under way
    for (const r of await Promise.allSettled([...first, other, shared]))
      expect(r).toMatchObject({ status: 'rejected', reason: { code: 'ETIMEOUT' } });
  });

  it('when the name resolves, then c-ares returns its A and AAAA addresses', async () => {
    if (viaLookup) return;
    const { createServer } = await import('node:dgram').then((m) => ({ createServer: m.createSocket }));
    const server = createServer('udp4');
    sinks.push(server);
    // A minimal authoritative answer: A 93.184.215.14 for any A question, no AAAA (NOERROR, empty).
    server.on('message', (msg, rinfo) => {
      const qEnd = msg.indexOf(0, 12) + 5;
      const qtype = msg.readUInt16BE(qEnd - 4);
      const header = Buffer.from(msg.subarray(0, 12));
      header.writeUInt16BE(0x8180, 2);
      header.writeUInt16BE(qtype === 1 ? 1 : 0, 6);
      const answer =
        qtype === 1 ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 215, 14]) : Buffer.alloc(0);
      server.send(Buffer.concat([header, msg.subarray(12, qEnd), answer]), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const resolve = createHostResolver({
      servers: [`127.0.0.1:${server.address().port}`],
      timeoutMs: 1_000,
      maxPerUser: 2,
      maxInFlight: 8,
    });
    expect(await resolve('cdn.example.org', 'u1')).toEqual([{ address: '93.184.215.14', family: 4 }]);
  });
});
