import { afterEach, describe, expect, it } from 'vitest';
import { createPixverseProvider } from '../src/index.js';
import type { VideoProvider } from '../src/index.js';
import { happyHandler, okEnvelope, sendJson, startFakePixverse } from './fake-pixverse.js';
import { caught } from './expected.js';

const creds = { apiKey: 'sk-secret-key-123' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(handler = happyHandler, opts: Partial<Parameters<typeof createPixverseProvider>[0]> = {}) {
  const fake = await startFakePixverse(handler);
  const provider: VideoProvider = createPixverseProvider({ baseUrl: fake.url, ...opts });
  cleanups.push(
    () => fake.stop(),
    () => provider.close(),
  );
  return { fake, provider };
}

describe('pixverse transport', () => {
  it('when several calls are made, then each carries the API-KEY and a distinct UUID Ai-trace-id', async () => {
    const { fake, provider } = await setup();
    await provider.submit(creds, { jobId: 'j1', operationType: 'text_to_video', params: { prompt: 'a' } });
    await provider.submit(creds, {
      jobId: 'j2',
      operationType: 'image_to_video',
      params: { prompt: 'b', image_url: 'https://x/a.png' },
    });
    await provider.status(creds, '7');
    await provider.balance(creds);
    expect(fake.seen).toHaveLength(5);
    const traceIds = fake.seen.map((r) => r.headers['ai-trace-id']);
    for (const id of traceIds) expect(id).toMatch(UUID);
    expect(new Set(traceIds).size).toBe(5);
    for (const r of fake.seen) expect(r.headers['api-key']).toBe(creds.apiKey);
  });

  it('when text_to_video is submitted, then a JSON body with the defaults goes to /openapi/v2/video/text/generate', async () => {
    const { fake, provider } = await setup();
    const res = await provider.submit(creds, {
      jobId: 'j1',
      operationType: 'text_to_video',
      params: { prompt: 'a cat', seed: 3, style: 'anime' },
    });
    expect(res).toEqual({ providerJobId: '7', cost: 45 });
    const [req] = fake.seen;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/openapi/v2/video/text/generate');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      prompt: 'a cat',
      model: 'v5',
      duration: 5,
      quality: '540p',
      aspect_ratio: '16:9',
      motion_mode: 'normal',
      seed: 3,
      style: 'anime',
    });
  });

  it('when image_to_video is submitted, then a multipart upload with image_url precedes the generate with img_id', async () => {
    const { fake, provider } = await setup();
    await provider.submit(creds, {
      jobId: 'j1',
      operationType: 'image_to_video',
      params: { prompt: 'p', image_url: 'https://x/a.png' },
    });
    const [upload, generate] = fake.seen;
    expect(upload?.url).toBe('/openapi/v2/image/upload');
    expect(upload?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload?.body).toContain('name="image_url"');
    expect(upload?.body).toContain('https://x/a.png');
    expect(generate?.url).toBe('/openapi/v2/video/img/generate');
    expect(JSON.parse(generate?.body ?? '')).toMatchObject({
      img_id: 42,
      prompt: 'p',
      model: 'v5',
      duration: 5,
      quality: '540p',
    });
  });

  it('when the params break a limit, then submit fails with invalid_params and never calls the provider', async () => {
    const { fake, provider } = await setup();
    const err = await caught(
      provider.submit(creds, { jobId: 'j', operationType: 'text_to_video', params: { prompt: 'x'.repeat(3000) } }),
    );
    expect(err.kind).toBe('invalid_params');
    expect(err.message).toContain('params.prompt');
    expect(fake.seen).toHaveLength(0);
  });

  it('when the status is 1, then the result carries url, size and frame from the answer', async () => {
    const { provider } = await setup();
    const status = await provider.status(creds, '7');
    expect(status.state).toBe('completed');
    expect(status.result).toEqual({
      url: 'https://media/7.mp4',
      width: 960,
      height: 540,
      duration_sec: null,
      file_size_bytes: 1234,
    });
  });

  it('when the balance is asked, then credits are monthly plus package', async () => {
    const { provider } = await setup();
    expect(await provider.balance(creds)).toEqual({ credits: 150 });
  });

  it('when the provider echoes the API key in ErrMsg, then the error message does not contain it', async () => {
    const { provider } = await setup((_req, res) =>
      sendJson(res, 200, { ErrCode: 400012, ErrMsg: `invalid key ${creds.apiKey}`, Resp: {} }),
    );
    const err = await caught(provider.balance(creds));
    expect(err.kind).toBe('account_invalid');
    expect(err.message).not.toContain(creds.apiKey);
    expect(JSON.stringify(err.details)).not.toContain(creds.apiKey);
  });

  it('when the answer is not JSON on HTTP 200, then it is a protocol error counted by the breaker', async () => {
    const { provider } = await setup((_req, res) => res.writeHead(200).end('<html>hi</html>'));
    const err = await caught(provider.balance(creds));
    expect(err.kind).toBe('protocol');
    expect(provider.breakers().find((b) => b.name === 'balance')?.stats.failures).toBe(1);
  });

  it('when the caller aborts, then the call fails with timeout', async () => {
    const { provider } = await setup(() => undefined); // never answers
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    const err = await caught(provider.status(creds, '1', { signal: ctrl.signal }));
    expect(err.kind).toBe('timeout');
  });

  it('when the caller gives a deadline sooner than the request timeout, then the call ends by it, a timeout the breaker does not count', async () => {
    const { provider } = await setup(() => undefined, { timeouts: { requestMs: 5_000 } }); // never answers
    const started = Date.now();
    const err = await caught(provider.status(creds, '1', { deadlineAt: started + 300 }));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(provider.breakers().find((b) => b.name === 'status')?.stats.failures).toBe(0);
  });

  it('when a status call outlives the request timeout, then it fails with timeout and the breaker counts it', async () => {
    const { provider } = await setup(() => undefined, { timeouts: { requestMs: 300 } }); // never answers
    const started = Date.now();
    const err = await caught(provider.status(creds, '1'));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(provider.breakers().find((b) => b.name === 'status')?.stats.failures).toBe(1);
  });

  it('when the breaker timeout is shorter than the request timeout, then the breaker reports timeout', async () => {
    const { provider } = await setup(() => undefined, { breaker: { timeoutMs: 100 }, timeouts: { requestMs: 5_000 } });
    const started = Date.now();
    const err = await caught(provider.status(creds, '1'));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(provider.breakers().find((b) => b.name === 'status')?.stats.timeouts).toBe(1);
  });

  it('when nothing listens on the port, then the call fails with unavailable', async () => {
    const { fake } = await setup();
    await fake.stop();
    const provider = createPixverseProvider({ baseUrl: fake.url });
    cleanups.push(() => provider.close());
    const err = await caught(provider.balance(creds));
    expect(err.kind).toBe('unavailable');
    expect(err.retryable).toBe(true);
    expect(err.message).not.toContain(creds.apiKey);
  });

  it('when a generation is still generating, then the state is pending with the raw answer', async () => {
    const { provider } = await setup((_req, res) => sendJson(res, 200, okEnvelope({ id: 1, status: 5, url: '' })));
    const status = await provider.status(creds, '1');
    expect(status.state).toBe('pending');
    expect(status.result).toBeUndefined();
    expect(status.raw).toMatchObject({ status: 5 });
  });

  it('when the provider is closed, then calls fail with unavailable', async () => {
    const { provider } = await setup();
    await provider.close();
    const err = await caught(provider.balance(creds));
    expect(err.kind).toBe('unavailable');
  });
});
