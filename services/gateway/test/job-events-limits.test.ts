import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '@pixsim/testkit';
import { installBearerAuth } from '../src/auth/bearer-auth.js';
import { installErrorBoundary } from '../src/http/error-boundary.js';
import { installOpenApi } from '../src/http/openapi.js';
import { memoryJobUpdates } from './fakes.js';
import {
  createStreamLimiter,
  DEFAULT_STREAM_LIMITS,
  streamLimitsFromConfig,
  type StreamLimitSettings,
} from '../src/live/stream-limits.js';
import { registerJobEventRoutes } from '../src/routes/job-events.js';
import { configSchema } from '../src/config.js';
import { jobHistory } from './events.js';
import { memoryJobStore } from './fakes.js';

const JOB_A = '01J00000000000000000000001'; // alice's
const JOB_B = '01J00000000000000000000002'; // bob's

/** The events route alone, on a real socket: bearer "alice"/"bob" are those users; jobs never end. */
async function startServer(streamLimits: Partial<StreamLimitSettings>) {
  const jobs = memoryJobStore();
  for (const [id, user] of [
    [JOB_A, 'alice'],
    [JOB_B, 'bob'],
  ] as const) {
    await jobs.apply(id, {
      type: 'JOB_CREATED',
      data: { ...jobHistory(id).created, user_id: user, scheduled_at: '2099-01-01T00:00:00.000Z' },
    });
  }
  const app = Fastify();
  installErrorBoundary(app);
  installOpenApi(app);
  const limiter = createStreamLimiter({ ...DEFAULT_STREAM_LIMITS, ...streamLimits });
  await app.register(
    async (api) => {
      installBearerAuth(api, [
        async (token) => (['alice', 'bob'].includes(token) ? { userId: token, role: 'user' } : null),
      ]);
      registerJobEventRoutes(api, {
        jobs,
        updates: memoryJobUpdates(),
        heartbeatMs: 60_000,
        streamLimits,
        limiter,
        clock: () => new Date(),
      });
    },
    { prefix: '/api/v1' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, limiter, port: (app.server.address() as AddressInfo).port };
}

interface Opened {
  res: IncomingMessage;
  req: ClientRequest;
  body: () => string;
  ended: Promise<void>;
}

/** Opens a stream and resolves once the headers (and, for a stream, the first event) are in. */
function open(port: number, user: string, jobId: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/jobs/${jobId}/events`,
        headers: { authorization: `Bearer ${user}` },
        agent: false,
      },
      (res) => {
        let body = '';
        const ended = new Promise<void>((done) => res.on('close', () => done()));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (res.statusCode === 200 && body.includes('event: job')) resolve({ res, req, body: () => body, ended });
        });
        res.on('end', () => resolve({ res, req, body: () => body, ended }));
        res.on('error', () => {});
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('GET /jobs/{id}/events limits (real HTTP)', () => {
  let app: FastifyInstance | undefined;
  const clients: ClientRequest[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await app?.close();
    app = undefined;
  });
  const track = (o: Opened) => (clients.push(o.req), o);

  it('when a user holds the per-user cap of streams, then the next one is 429 TOO_MANY_STREAMS with Retry-After, and another user still gets a stream', async () => {
    const s = await startServer({ maxPerUser: 2 });
    app = s.app;
    const first = track(await open(s.port, 'alice', JOB_A));
    const second = track(await open(s.port, 'alice', JOB_A));
    expect([first.res.statusCode, second.res.statusCode]).toEqual([200, 200]);
    const third = track(await open(s.port, 'alice', JOB_A));
    expect(third.res.statusCode).toBe(429);
    expect(Number(third.res.headers['retry-after'])).toBeGreaterThan(0);
    const err = JSON.parse(third.body()).error;
    expect(err.code).toBe('TOO_MANY_STREAMS');
    expect(err.message).toMatch(/per user/);
    expect(err.message).toMatch(/GET \/api\/v1\/jobs\/\{id\}/);
    const bob = track(await open(s.port, 'bob', JOB_B));
    expect(bob.res.statusCode).toBe(200);
    expect(bob.res.headers['content-type']).toContain('text/event-stream');
    expect([s.limiter.count('alice'), s.limiter.count('bob'), s.limiter.count()]).toEqual([2, 1, 3]);
  });

  it('when a client closes one of its streams, then the count goes down and a new stream is accepted', async () => {
    const s = await startServer({ maxPerUser: 2 });
    app = s.app;
    const first = track(await open(s.port, 'alice', JOB_A));
    track(await open(s.port, 'alice', JOB_A));
    expect((await open(s.port, 'alice', JOB_A)).res.statusCode).toBe(429);
    first.req.destroy(); // the client goes away without the server ending the stream
    for (let i = 0; i < 50 && s.limiter.count('alice') > 1; i++) await sleep(20);
    expect(s.limiter.count('alice')).toBe(1);
    const again = track(await open(s.port, 'alice', JOB_A));
    expect(again.res.statusCode).toBe(200);
    expect(s.limiter.count('alice')).toBe(2);
  });

  it('when the replica holds its total cap, then any user gets 429 TOO_MANY_STREAMS naming the server cap', async () => {
    const s = await startServer({ maxPerUser: 5, maxStreams: 1 });
    app = s.app;
    track(await open(s.port, 'alice', JOB_A));
    const refused = track(await open(s.port, 'bob', JOB_B));
    expect(refused.res.statusCode).toBe(429);
    expect(refused.res.headers['retry-after']).toBeDefined();
    expect(JSON.parse(refused.body()).error).toMatchObject({
      code: 'TOO_MANY_STREAMS',
      message: expect.stringMatching(/server/),
    });
  });

  it('when a stream reaches its maximum lifetime, then the server ends it cleanly and its slot is freed', async () => {
    const s = await startServer({ maxPerUser: 1, maxLifetimeMs: 300 });
    app = s.app;
    const started = Date.now();
    const stream = track(await open(s.port, 'alice', JOB_A));
    expect(stream.res.statusCode).toBe(200);
    await stream.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(stream.res.complete).toBe(true); // a clean end of the chunked body, not a reset
    expect(stream.body()).toContain(': stream lifetime reached');
    for (let i = 0; i < 50 && s.limiter.count('alice') > 0; i++) await sleep(20);
    expect(s.limiter.count()).toBe(0);
    expect(track(await open(s.port, 'alice', JOB_A)).res.statusCode).toBe(200);
  });

  it('when nothing is configured, then the defaults apply, and the config parses SSE_* into the same settings', () => {
    expect(DEFAULT_STREAM_LIMITS).toEqual({ maxPerUser: 20, maxStreams: 5_000, maxLifetimeMs: 3_600_000 });
    const shape = configSchema.pick({ SSE_MAX_PER_USER: true, SSE_MAX_STREAMS: true, SSE_MAX_LIFETIME_S: true });
    expect(streamLimitsFromConfig(shape.parse({}))).toEqual(DEFAULT_STREAM_LIMITS);
    expect(
      streamLimitsFromConfig(shape.parse({ SSE_MAX_PER_USER: '3', SSE_MAX_STREAMS: '10', SSE_MAX_LIFETIME_S: '60' })),
    ).toEqual({ maxPerUser: 3, maxStreams: 10, maxLifetimeMs: 60_000 });
    expect(shape.safeParse({ SSE_MAX_PER_USER: '0' }).success).toBe(false);
  });
});
