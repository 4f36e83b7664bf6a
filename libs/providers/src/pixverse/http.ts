import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import type { FormData } from 'undici';
import { ProviderError } from '../provider-error.js';
import { classifyPixverse } from './classify.js';
import { DeadlineSignals } from './deadlines.js';

export interface PixverseHttpOptions {
  baseUrl: string;
  connectMs: number;
  requestMs: number;
  connections: number;
  keepAliveMs?: number;
}

interface PixverseCall {
  method: 'GET' | 'POST';
  /** Path below `/openapi/v2/`, e.g. `video/text/generate`. */
  path: string;
  apiKey: string;
  json?: unknown;
  form?: FormData;
  /** Aborting this signal abandons the call (e.g. the breaker's own timeout or the caller's signal). */
  signal?: AbortSignal;
  /** The call ends by then at the latest (epoch ms), when that is sooner than `requestMs` from now. */
  deadlineAt?: number;
}

export interface PixverseHttp {
  /** Resolves with the envelope's `Resp`, or rejects with a ProviderError. */
  call(call: PixverseCall): Promise<unknown>;
  close(): Promise<void>;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * The transport: one undici Agent (a keep-alive Pool per origin), a fresh
 * Ai-trace-id per request, and every failure turned into a ProviderError.
 */
export function createPixverseHttp(opts: PixverseHttpOptions): PixverseHttp {
  const base = new URL(opts.baseUrl);
  const origin = base.origin;
  const prefix = `${base.pathname.replace(/\/+$/, '')}/openapi/v2/`;
  const agent = new Agent({
    connections: opts.connections,
    keepAliveTimeout: opts.keepAliveMs ?? 30_000,
    headersTimeout: opts.requestMs,
    bodyTimeout: opts.requestMs,
    connect: { timeout: opts.connectMs },
  });
  // Each call ends within requestMs whatever undici's idle timeouts allow between chunks.
  // The deadlines share timers: a timer (and an AbortSignal.timeout's weak references) per
  // call was about a quarter of a busy poller's scavenging, and all its full collections.
  const deadlines = new DeadlineSignals();

  async function call(c: PixverseCall): Promise<unknown> {
    const traceId = randomUUID();
    const now = Date.now();
    // The caller's deadline, when sooner, is the caller's to account for (as its signal is).
    const callerDeadline = c.deadlineAt !== undefined && c.deadlineAt < now + opts.requestMs;
    const deadline = deadlines.signal(callerDeadline ? c.deadlineAt! : now + opts.requestMs, now);
    const signal = c.signal ? AbortSignal.any([deadline, c.signal]) : deadline;
    const headers: Record<string, string> = { 'API-KEY': c.apiKey, 'Ai-trace-id': traceId, accept: 'application/json' };
    let body: string | FormData | undefined;
    if (c.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(c.json);
    } else if (c.form) {
      body = c.form;
    }
    const details = { method: c.method, path: c.path, traceId };
    let status: number;
    let text: string;
    let retryAfter: string | null = null;
    try {
      const res = await agent.request({
        origin,
        path: prefix + c.path,
        method: c.method,
        headers,
        body: body ?? null,
        signal,
      });
      status = res.statusCode;
      const ra = res.headers['retry-after'];
      retryAfter = Array.isArray(ra) ? (ra[0] ?? null) : (ra ?? null);
      text = await res.body.text();
    } catch (err) {
      throw transportError(err, {
        callerAborted: c.signal?.aborted === true || (callerDeadline && deadline.aborted),
        timedOut: !callerDeadline && deadline.aborted,
        requestMs: opts.requestMs,
        details,
      });
    }
    const outcome = classifyPixverse(status, text, { retryAfter });
    if (outcome.ok) return outcome.resp;
    throw withDetails(outcome.error, details, c.apiKey);
  }

  return {
    call,
    close: () => {
      deadlines.clear();
      return agent.close();
    },
  };
}

interface TransportContext {
  callerAborted: boolean;
  timedOut: boolean;
  requestMs: number;
  details: Record<string, unknown>;
}

function transportError(err: unknown, ctx: TransportContext): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${String(ctx.details.method)} ${String(ctx.details.path)}`;
  if (ctx.timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new ProviderError('timeout', `pixverse did not answer ${where} within ${ctx.requestMs} ms`, {
      cause: err,
      details: ctx.details,
    });
  }
  if (ctx.callerAborted) {
    // Our own caller gave up (breaker timeout, shutdown): a timeout, but its breaker accounting is done elsewhere.
    return new ProviderError('timeout', `pixverse call ${where} was aborted`, {
      cause: err,
      details: ctx.details,
      providerFault: false,
    });
  }
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'unknown error';
  return new ProviderError('unavailable', `pixverse unreachable on ${where} (${reason})`, {
    cause: err,
    details: ctx.details,
  });
}

/** Adds the trace id and, should the provider ever echo the key back, keeps it out of the message. */
function withDetails(err: ProviderError, details: Record<string, unknown>, apiKey: string): ProviderError {
  const message = apiKey ? err.message.split(apiKey).join('[redacted]') : err.message;
  return new ProviderError(err.kind, message, {
    ...(err.providerCode === undefined ? {} : { providerCode: err.providerCode }),
    ...(err.httpStatus === undefined ? {} : { httpStatus: err.httpStatus }),
    ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
    details,
  });
}
