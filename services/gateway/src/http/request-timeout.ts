import type { FastifyInstance, FastifyReply } from 'fastify';
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
 * One sweep serves every request, instead of a timer and two listeners each: at thousands
 * of requests a second those were a measurable share of the gateway's CPU and garbage.
 * Requests are kept in arrival order with their deadline, so a sweep stops at the first one
 * not yet due, and each leaves the map when its response is done. A deadline is kept to
 * within a tenth of `ms` (at most a second) late.
 */
export function installRequestTimeout(app: FastifyInstance, ms: number): void {
  const due = new Map<FastifyReply, number>();
  const sweep = () => {
    const now = Date.now();
    for (const [reply, at] of due) {
      if (at > now) break;
      due.delete(reply);
      if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) continue;
      const err = new RequestTimeoutError(ms);
      reply.request.log.warn({ url: reply.request.url, ms }, 'request timed out');
      void reply
        .code(err.status)
        .headers({ ...err.headers, connection: 'close' })
        .send({ error: { code: err.code, message: err.message } });
    }
  };
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', (done) => {
    timer = setInterval(sweep, Math.min(1_000, Math.max(5, Math.floor(ms / 10))));
    timer.unref();
    done();
  });
  app.addHook('onClose', (_app, done) => {
    clearInterval(timer);
    due.clear();
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.routeOptions.config?.stream) due.set(reply, Date.now() + ms);
    done();
  });
  // onResponse runs once the response is written; a client that hung up first leaves its
  // entry to the sweep, which drops it.
  app.addHook('onResponse', (_request, reply, done) => {
    due.delete(reply);
    done();
  });
}
