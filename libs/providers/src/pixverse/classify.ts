import { ProviderError } from '../provider-error.js';
import type { ProviderErrorKind } from '../provider-error.js';

/** The ErrCode table of the PixVerse API reference. */
export const PIXVERSE_ERR_CODES = {
  400011: 'invalid_params', // empty parameter
  400013: 'invalid_params', // badly typed parameter
  400017: 'invalid_params', // invalid parameter
  400018: 'invalid_params', // prompt over 2048 characters
  400019: 'invalid_params', // negative prompt over 2048 characters
  400032: 'invalid_params', // invalid image id
  400012: 'account_invalid', // bad key
  500020: 'account_forbidden', // no permission
  500044: 'concurrency_limit', // too many concurrent generations for the plan
  500052: 'moderation', // image upload refused by moderation (lower-case envelope, HTTP 500)
  500054: 'moderation', // image moderation failed
  500063: 'moderation', // prompt / image / video moderation failed
  500069: 'unavailable', // system under high load
  500090: 'insufficient_credits',
  500100: 'unavailable', // internal error
  99999: 'unavailable', // unknown error
} as const satisfies Record<number, ProviderErrorKind>;

export type PixverseClassification = { ok: true; resp: unknown } | { ok: false; error: ProviderError };

interface Envelope {
  code: number;
  msg: string;
  resp: unknown;
}

export interface ClassifyOptions {
  /** The `Retry-After` header, if any (seconds or an HTTP date). */
  retryAfter?: string | null;
  /** Clock for HTTP-date Retry-After values; injectable for tests. */
  now?: number;
}

/**
 * Maps one PixVerse answer to success or a ProviderError. Pure. `body` is the
 * raw text or an already parsed value. `ErrCode` decides, not the HTTP status,
 * except where no envelope can be read.
 */
export function classifyPixverse(
  httpStatus: number,
  body: unknown,
  opts: ClassifyOptions = {},
): PixverseClassification {
  if (httpStatus === 429) {
    const retryAfterMs = parseRetryAfter(opts.retryAfter, opts.now ?? Date.now());
    return fail('rate_limited', 'pixverse answered 429 Too Many Requests', {
      httpStatus,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const envelope = readEnvelope(body);
  if (envelope) {
    if (envelope.code === 0 && httpStatus >= 200 && httpStatus < 300) return { ok: true, resp: envelope.resp };
    return classifyCode(httpStatus, envelope);
  }
  return classifyWithoutEnvelope(httpStatus);
}

function classifyCode(httpStatus: number, env: Envelope): PixverseClassification {
  const kind: ProviderErrorKind | undefined = (PIXVERSE_ERR_CODES as Record<number, ProviderErrorKind>)[env.code];
  const message = `pixverse ErrCode ${env.code}${env.msg ? `: ${env.msg}` : ''}`;
  if (kind) return fail(kind, message, { httpStatus, providerCode: env.code });
  if (env.code === 0) return classifyWithoutEnvelope(httpStatus); // success code on an error status
  // An undocumented code: retry (bounded by the caller's MAX_TRIES) rather than lose a job for good.
  return fail(httpStatus >= 500 ? 'unavailable' : 'protocol', `unknown ${message}`, {
    httpStatus,
    providerCode: env.code,
  });
}

function classifyWithoutEnvelope(httpStatus: number): PixverseClassification {
  if (httpStatus >= 500) return fail('unavailable', `pixverse answered HTTP ${httpStatus}`, { httpStatus });
  if (httpStatus === 408) return fail('timeout', 'pixverse answered 408 Request Timeout', { httpStatus });
  if (httpStatus === 401) return fail('account_invalid', 'pixverse refused the API key (HTTP 401)', { httpStatus });
  if (httpStatus === 403) return fail('account_forbidden', 'pixverse refused the call (HTTP 403)', { httpStatus });
  return fail('protocol', `pixverse answered HTTP ${httpStatus} without a readable envelope`, { httpStatus });
}

function fail(
  kind: ProviderErrorKind,
  message: string,
  opts: ConstructorParameters<typeof ProviderError>[2],
): PixverseClassification {
  return { ok: false, error: new ProviderError(kind, message, opts) };
}

/** Reads `{ErrCode, ErrMsg, Resp}` or the lower-case `{err_code, err_msg, resp}` of upload refusals. */
function readEnvelope(body: unknown): Envelope | null {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      value = JSON.parse(text);
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const obj = value as Record<string, unknown>;
  const code = obj.ErrCode ?? obj.err_code;
  const numeric = typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : code;
  if (typeof numeric !== 'number' || !Number.isInteger(numeric)) return null;
  const msg = obj.ErrMsg ?? obj.err_msg;
  return { code: numeric, msg: typeof msg === 'string' ? msg : '', resp: obj.Resp ?? obj.resp };
}

export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
