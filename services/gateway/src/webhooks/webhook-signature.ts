import { createHmac, timingSafeEqual } from 'node:crypto';

const WEBHOOK_TOLERANCE_S = 300;

export interface WebhookHeaders {
  timestamp: string;
  nonce: string;
  signature: string;
}

/**
 * PixVerse's scheme: base64 HMAC-SHA256 under the
 * webhook secret over `timestamp\nnonce\nencodeURIComponent(rawBody)`, with the
 * timestamp (unix seconds) within ±300 s. Implemented here rather than imported
 * from the simulator, which is a dev tool. Repeated nonces are the caller's check.
 */
export function webhookSignatureProblem(
  secret: string,
  h: WebhookHeaders,
  rawBody: string,
  nowMs: number,
): string | null {
  if (!/^\d{1,12}$/.test(h.timestamp)) return 'bad webhook-timestamp';
  if (Math.abs(Math.floor(nowMs / 1000) - Number(h.timestamp)) > WEBHOOK_TOLERANCE_S)
    return 'webhook-timestamp outside the ±300 s window';
  if (!/^[\x21-\x7e]{1,128}$/.test(h.nonce)) return 'bad webhook-nonce';
  const expected = createHmac('sha256', secret)
    .update(`${h.timestamp}\n${h.nonce}\n${encodeURIComponent(rawBody)}`)
    .digest();
  const given = Buffer.from(h.signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'signature mismatch';
}
