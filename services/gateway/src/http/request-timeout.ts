import type { FastifyInstance, FastifyReply } from 'fastify';
import { createDeadlines } from '../deadlines.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A long-lived response (an event stream): no request deadline. */
    stream?: boolean;
  }
}

/** 503: the request took longer than REQUEST_TIMEOUT_MS; nothing more will be answered on it. */
class RequestTimeoutError extends HttpError {
  constructor(ms: number) {
    super(503, 'REQUEST_TIMEOUT', `the request took longer than ${ms} ms; retry`, {
      retryable: true,
      headers: { 'retry-after': '1' },
    });
  }
}

/**
 * A deadline on every request but live event streams (routes marked `config: { stream: true }`):
 * past `ms` the client gets 503 REQUEST_TIMEOUT (if nothing was sent yet) and the work left
 * runs on without an audience. Node's own `requestTimeout` (set with the same value on the
 * server) bounds how long a client may take to send the request itself.
 *
 * The deadlines share one sweep (createDeadlines); a request leaves it when its response is done.
 */
export function installRequestTimeout(app: FastifyInstance, ms: number): void {
  const deadlines = createDeadlines<FastifyReply>(ms, (reply) => {
    if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
    const err = new RequestTimeoutError(ms);
    reply.request.log.warn({ url: reply.request.url, ms }, 'request timed out');
    void reply
      .code(err.status)
      .headers({ ...err.headers, connection: 'close' })
      .send({ error: { code: err.code, message: err.message } });
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.routeOptions.config?.stream) deadlines.start(reply);
    done();
  });
  // onResponse runs once the response is written; a client that hung up first leaves its
  // entry to the sweep, which drops it.
  app.addHook('onResponse', (_request, reply, done) => {
    deadlines.settle(reply);
    done();
  });
}
