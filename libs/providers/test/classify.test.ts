import { describe, expect, it } from 'vitest';
import { JOB_ERROR_CODES } from '@pixsim/contracts';
import { KIND_TO_JOB_ERROR, PROVIDER_ERROR_KINDS, ProviderError, classifyPixverse } from '../src/index.js';
import type { ProviderErrorKind } from '../src/index.js';
import { PIXVERSE_CODE_KINDS } from './expected.js';

const envelope = (code: number, resp: unknown = {}): string =>
  JSON.stringify({ ErrCode: code, ErrMsg: code === 0 ? 'success' : 'boom', Resp: resp });

function errorOf(httpStatus: number, body: unknown, retryAfter?: string): ProviderError {
  const out = classifyPixverse(
    httpStatus,
    body,
    retryAfter === undefined ? {} : { retryAfter, now: Date.parse('2025-01-01T00:00:00Z') },
  );
  if (out.ok) throw new Error('expected an error');
  return out.error;
}

describe('classifyPixverse', () => {
  it('when ErrCode is 0 on HTTP 200, then it succeeds with Resp', () => {
    expect(classifyPixverse(200, envelope(0, { video_id: 7 }))).toEqual({ ok: true, resp: { video_id: 7 } });
  });

  it('when the body is already parsed, then it reads the envelope the same way', () => {
    expect(classifyPixverse(200, { ErrCode: 0, ErrMsg: 'success', Resp: { img_id: 3 } })).toEqual({
      ok: true,
      resp: { img_id: 3 },
    });
  });

  it.each(PIXVERSE_CODE_KINDS)('when ErrCode is %i on HTTP 200, then the kind is %s', (code, kind) => {
    const err = errorOf(200, envelope(code));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe(kind);
    expect(err.providerCode).toBe(code);
    expect(err.httpStatus).toBe(200);
    expect(err.code).toBe(KIND_TO_JOB_ERROR[kind]);
  });

  it('when an upload is refused with the lower-case 500052 shape on HTTP 500, then it is moderation', () => {
    const err = errorOf(500, JSON.stringify({ err_code: 500052, err_msg: 'image moderation failed', resp: {} }));
    expect(err.kind).toBe('moderation');
    expect(err.providerCode).toBe(500052);
    expect(err.retryable).toBe(false);
    expect(err.providerFault).toBe(false);
  });

  it('when HTTP 429 carries Retry-After in seconds, then it is rate_limited with retryAfterMs', () => {
    const err = errorOf(429, 'Too Many Requests', '3');
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(3000);
    expect(err.disposition).toBe('switch_account');
  });

  it('when HTTP 429 carries Retry-After as an HTTP date, then retryAfterMs is the time until then', () => {
    expect(errorOf(429, '', 'Wed, 01 Jan 2025 00:00:10 GMT').retryAfterMs).toBe(10_000);
  });

  it('when HTTP 429 has no Retry-After, then retryAfterMs is unset', () => {
    expect(errorOf(429, '').retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504])(
    'when HTTP %i has a non-JSON body, then it is unavailable and a provider fault',
    (status) => {
      const err = errorOf(status, '<html>Bad gateway</html>');
      expect(err.kind).toBe('unavailable');
      expect(err.providerFault).toBe(true);
      expect(err.retryable).toBe(true);
    },
  );

  it('when HTTP 200 has a non-JSON body, then it is a protocol error', () => {
    expect(errorOf(200, 'not json').kind).toBe('protocol');
  });

  it('when HTTP 200 has JSON without ErrCode, then it is a protocol error', () => {
    expect(errorOf(200, '{"hello":1}').kind).toBe('protocol');
  });

  it('when HTTP 401 and 403 come without an envelope, then they are account errors', () => {
    expect(errorOf(401, '').kind).toBe('account_invalid');
    expect(errorOf(403, '').kind).toBe('account_forbidden');
  });

  it('when an undocumented ErrCode arrives, then it is retryable (protocol on 2xx, unavailable on 5xx)', () => {
    expect(errorOf(200, envelope(123456)).kind).toBe('protocol');
    expect(errorOf(502, envelope(123456)).kind).toBe('unavailable');
  });

  it('when ErrCode 0 arrives on a 5xx, then it is unavailable, not success', () => {
    expect(errorOf(503, envelope(0)).kind).toBe('unavailable');
  });

  it('when ErrCode is a numeric string, then it is read as the number', () => {
    expect(errorOf(200, JSON.stringify({ ErrCode: '500090', ErrMsg: 'x' })).kind).toBe('insufficient_credits');
  });
});

describe('ProviderError kinds', () => {
  it('when each kind is built, then retryable, disposition and job code follow the table', () => {
    const permanent = new Set(['invalid_params', 'moderation']);
    const switchAccount = new Set([
      'account_invalid',
      'account_forbidden',
      'concurrency_limit',
      'rate_limited',
      'insufficient_credits',
    ]);
    const faults = new Set(['unavailable', 'timeout', 'protocol']);
    for (const kind of PROVIDER_ERROR_KINDS) {
      const err = new ProviderError(kind, 'x');
      expect(err.retryable).toBe(!permanent.has(kind));
      expect(err.disposition).toBe(permanent.has(kind) ? 'fail' : switchAccount.has(kind) ? 'switch_account' : 'retry');
      expect(err.providerFault).toBe(faults.has(kind));
      expect(JOB_ERROR_CODES[err.code]).toBeDefined();
      expect(err.name).toBe('ProviderError');
    }
  });

  it('when a provider error becomes a job error, then the catalogue agrees on whether it is worth retrying', () => {
    // A copy of the mapping could only repeat it: what must hold is that a refusal the
    // provider calls permanent never becomes a job error the system retries, and the reverse.
    const permanent = new Set<ProviderErrorKind>(['invalid_params', 'moderation']);
    for (const kind of PROVIDER_ERROR_KINDS) {
      const code = KIND_TO_JOB_ERROR[kind];
      expect(JOB_ERROR_CODES[code].retryable, `${kind} -> ${code}`).toBe(!permanent.has(kind));
      expect(new ProviderError(kind, 'x').code, kind).toBe(code);
    }
  });
});
