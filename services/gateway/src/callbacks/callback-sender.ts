import { request, type Dispatcher } from 'undici';
import { checkPublicHost, type ResolvedAddress, type ResolveHost } from '../jobs/public-url.js';
import { signCallback } from './callback-signature.js';
import type { CallbackDoc } from '../store/callback-store.js';
import { pinnedAgent } from './pinned-agent.js';

export interface SenderOptions {
  /** The secrets a delivery of this user is signed with (current first; one in its grace after it). */
  secretsFor(userId: string | null): Promise<string[]>;
  timeoutMs: number;
  /** Development only: private and loopback hosts are fine. */
  allowPrivate: boolean;
  resolveHost: ResolveHost;
  clock: () => Date;
  /** Where the detailed cause of a connection failure goes (the stored error stays generic). */
  logger?: { warn(o: object, m: string): void };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

/**
 * What the job's owner is told when no HTTP answer came. Never the socket error
 * itself: its code, address and port would let an owner probe what the gateway
 * can reach (open, closed or filtered ports).
 */
function connectionFailure(code: string | undefined): string {
  return code && TIMEOUT_CODES.has(code) ? 'the receiver did not answer in time' : 'could not connect to the receiver';
}

/** What one attempt got back: an HTTP status, or why there was none. */
export type AttemptResult = { status: number } | { error: string; retryable: boolean };

/**
 * POSTs a callback once. The host is checked again at delivery time, since a name
 * can resolve elsewhere than it did when the job was accepted. No redirects: a
 * receiver that moved answers 3xx, which counts as a refusal.
 */
export function createCallbackSender(o: SenderOptions) {
  return async function send(
    cb: Pick<CallbackDoc, '_id' | 'url' | 'event' | 'body'> & { user_id?: string | null },
    attempt: number,
  ): Promise<AttemptResult> {
    // Unless private hosts are fine, the name is resolved once, here: every address
    // it gave must be public, and the connection goes to the first of them, not to
    // whatever a second resolution (a rebinding DNS answer) would say.
    let dispatcher: Dispatcher | undefined;
    if (!o.allowPrivate) {
      let resolved: ResolvedAddress[] | undefined;
      try {
        resolved = await checkPublicHost('callback_url', cb.url, o.resolveHost, cb.user_id ?? undefined);
      } catch (err) {
        const message =
          (err as { details?: Array<{ message: string }> }).details?.[0]?.message ?? (err as Error).message;
        // Our resolver down or busy: try again later. A name that does not resolve is the receiver's.
        const code = (err as { code?: string }).code;
        return { error: `refused: ${message}`, retryable: code === 'DEPENDENCY_DOWN' || code === 'TOO_MANY_LOOKUPS' };
      }
      const pinned = resolved[0];
      if (!pinned) return { error: 'refused: host does not resolve', retryable: false };
      dispatcher = pinnedAgent(pinned.address, pinned.family === 6 ? 6 : 4, o.timeoutMs);
    }
    let secrets: string[];
    try {
      secrets = await o.secretsFor(cb.user_id ?? null);
    } catch (err) {
      if (dispatcher) void dispatcher.destroy().catch(() => {});
      o.logger?.warn({ err, delivery_id: cb._id }, 'callback secret could not be read');
      return { error: 'could not sign the callback', retryable: true };
    }
    if (secrets.length === 0) {
      if (dispatcher) void dispatcher.destroy().catch(() => {});
      return { error: 'the job owner no longer exists', retryable: false };
    }
    try {
      const res = await request(cb.url, {
        ...(dispatcher ? { dispatcher } : {}),
        method: 'POST',
        body: cb.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'pixsim-callbacks/1',
          'x-pixsim-event': cb.event,
          'x-pixsim-delivery': cb._id,
          'x-pixsim-attempt': String(attempt),
          'x-pixsim-signature': signCallback(secrets, cb.body, Math.floor(o.clock().getTime() / 1000)),
        },
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
      });
      await res.body.dump(); // the answer's body is not ours to read; free the socket
      return { status: res.statusCode };
    } catch (err) {
      const code = (err as { code?: string }).code;
      o.logger?.warn({ err, delivery_id: cb._id, attempt }, 'callback could not reach its receiver');
      return { error: connectionFailure(code), retryable: true };
    } finally {
      // One agent per delivery: nothing pinned outlives the check it came from.
      if (dispatcher) void dispatcher.destroy().catch(() => {});
    }
  };
}

export type CallbackSender = ReturnType<typeof createCallbackSender>;
