import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, type Simulator } from '../src/index.js';
import { generate, start, until } from './helpers.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

async function receiver(failFirst = 0): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failures-- > 0) return void res.writeHead(500).end('nope');
      received.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

let sim: Simulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  await sim?.stop();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  sim = undefined;
  server = undefined;
});

describe('webhook', () => {
  it('when a generation finishes, then a signed webhook arrives without any polling, and it verifies', async () => {
    const hook = await receiver();
    server = hook.server;
    sim = await start({ latencyMs: 100, webhook: { url: hook.url, secret: 'shh' } });
    const ok = await generate(sim, 'webhook ok «ünïcode»');
    const mod = await generate(sim, 'webhook moderated [sim:moderate]');
    await until(() => sim!.stats().webhooks.delivered === 2);
    expect(hook.received).toHaveLength(2);
    const byId = new Map(hook.received.map((r) => [JSON.parse(r.body).video_id as number, r]));
    const done = byId.get(ok.Resp.video_id)!;
    const h = done.headers;
    const verifiedWith = (secret: string) =>
      verifyWebhook(
        secret,
        String(h['webhook-timestamp']),
        String(h['webhook-nonce']),
        done.body,
        String(h['webhook-signature']),
      );
    expect(verifiedWith('shh')).toBe(true);
    expect(verifiedWith('wrong')).toBe(false);
    expect(JSON.parse(done.body)).toMatchObject({
      video_id: ok.Resp.video_id,
      status: 1,
      url: `https://media.pixverse.sim/${ok.Resp.video_id}.mp4`,
    });
    expect(JSON.parse(byId.get(mod.Resp.video_id)!.body)).toMatchObject({ status: 7 });
    expect(sim.stats().webhooks).toMatchObject({ delivered: 2, failed: 0, pending: 0 });
  });

  it('when the receiver fails at first, then the delivery is retried until it succeeds', async () => {
    const hook = await receiver(2);
    server = hook.server;
    sim = await start({ latencyMs: 0, webhook: { url: hook.url, secret: 's', backoffMs: 20 } });
    await generate(sim, 'retried');
    await until(() => sim!.stats().webhooks.delivered === 1);
    expect(hook.received).toHaveLength(1);
    expect(sim.stats().webhooks).toMatchObject({ delivered: 1, attempts: 3 });
  });
});

describe('signature helpers', () => {
  it('when the body, timestamp or nonce change, or the timestamp is stale, then verification fails', () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = signWebhook('k', ts, 'n1', '{"a":1}');
    expect(verifyWebhook('k', ts, 'n1', '{"a":1}', sig)).toBe(true);
    expect(verifyWebhook('k', ts, 'n1', '{"a":2}', sig)).toBe(false);
    expect(verifyWebhook('k', ts, 'n2', '{"a":1}', sig)).toBe(false);
    expect(verifyWebhook('k', ts, 'n1', '{"a":1}', sig, { nowMs: Date.now() + 301_000 })).toBe(false);
  });

  it('when signing, then it is base64 HMAC-SHA256 over timestamp, nonce and the URI-encoded body', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', 'k')
      .update(`1\nn\n${encodeURIComponent('{"x":"a b"}')}`)
      .digest('base64');
    expect(signWebhook('k', '1', 'n', '{"x":"a b"}')).toBe(expected);
  });
});
