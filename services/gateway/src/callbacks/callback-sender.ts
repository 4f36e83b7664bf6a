import { request } from 'undici';
import { checkPublicHost, type ResolveHost } from '../jobs/public-url.js';
import { signCallback } from './callback-signature.js';
import type { CallbackDoc } from './callback-store.js';

export interface SenderOptions {
  secret: string;
  timeoutMs: number;
  /** Development only: private and loopback hosts are fine. */
  allowPrivate: boolean;
  resolveHost: ResolveHost;
  clock: () => Date;
}

/** What one attempt got back: an HTTP status, or why there was none. */
export type AttemptResult = { status: number } | { error: string; retryable: boolean };

/**
 * POSTs a callback once. The host is checked again at delivery time, since a name
 * can resolve elsewhere than it did when the job was accepted. No redirects: a
 * receiver that moved answers 3xx, which counts as a refusal.
 */
export function createCallbackSender(o: SenderOptions) {
  return async function send(cb: Pick<CallbackDoc, '_id' | 'url' | 'event' | 'body'>, attempt: number): Promise<AttemptResult> {
    if (!o.allowPrivate) {
      try {
        await checkPublicHost('callback_url', cb.url, o.resolveHost);
      } catch (err) {
        const message = (err as { details?: Array<{ message: string }> }).details?.[0]?.message ?? (err as Error).message;
        return { error: `refused: ${message}`, retryable: (err as { code?: string }).code === 'DEPENDENCY_DOWN' };
      }
    }
    try {
      const res = await request(cb.url, {
        method: 'POST',
        body: cb.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'pixsim-callbacks/1',
          'x-pixsim-event': cb.event,
          'x-pixsim-delivery': cb._id,
          'x-pixsim-attempt': String(attempt),
          'x-pixsim-signature': signCallback(o.secret, cb.body, Math.floor(o.clock().getTime() / 1000)),
        },
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
      });
      await res.body.dump(); // the answer's body is not ours to read; free the socket
      return { status: res.statusCode };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { error: `${e.code ?? 'ERROR'}: ${e.message ?? String(err)}`.slice(0, 500), retryable: true };
    }
  };
}

export type CallbackSender = ReturnType<typeof createCallbackSender>;
