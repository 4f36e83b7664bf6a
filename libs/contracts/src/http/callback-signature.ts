import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a callback's signature travels in. */
export const CALLBACK_SIGNATURE_HEADER = 'x-pixsim-signature';

const mac = (secret: string, body: string, t: number) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/**
 * `X-Pixsim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the scheme
 * Stripe made familiar: the timestamp inside the MAC lets a receiver refuse replays.
 * During a secret's rotation there is one `v1=` per secret (current first); a
 * receiver accepts the delivery when any of them matches its secret.
 */
export function signCallback(secrets: string | readonly string[], body: string, unixSeconds: number): string {
  return [`t=${unixSeconds}`, ...[secrets].flat().map((s) => `v1=${mac(s, body, unixSeconds)}`)].join(',');
}

/**
 * The receiver's side, for reference: recompute over the raw body, compare in constant
 * time, and refuse a timestamp further than `toleranceS` from now (a replay).
 */
export function verifyCallback(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceS = 300,
): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => Buffer.from(v ?? '', 'hex'));
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceS || signatures.length === 0) return false;
  const expected = Buffer.from(mac(secret, body, t), 'hex');
  return signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
