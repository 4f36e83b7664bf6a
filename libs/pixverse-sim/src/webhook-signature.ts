import { createHmac, timingSafeEqual } from 'node:crypto';

/** The provider's webhook signature: base64 HMAC-SHA256 over `timestamp\nnonce\nencodeURIComponent(rawBody)`. */
export function signWebhook(secret: string, timestamp: string, nonce: string, rawBody: string): string {
  return createHmac('sha256', secret)
    .update(`${timestamp}\n${nonce}\n${encodeURIComponent(rawBody)}`)
    .digest('base64');
}

export interface VerifyOptions {
  /** Defaults to Date.now(). */
  nowMs?: number;
  /** Accepted clock skew either way, in seconds (default 300). */
  toleranceS?: number;
}

/**
 * True when `signature` is the signature of this body and `timestamp` (unix seconds)
 * is within the tolerance. Repeated nonces are the caller's to reject: that needs state.
 */
export function verifyWebhook(
  secret: string,
  timestamp: string,
  nonce: string,
  rawBody: string,
  signature: string,
  opts: VerifyOptions = {},
): boolean {
  const ts = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(ts) || nonce === '') return false;
  const nowS = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowS - ts) > (opts.toleranceS ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, nonce, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
