import { describe, expect, it } from 'vitest';
import {
  CONSUMERS,
  createKeys,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  isTransient,
  parseEnvelope,
  SchemaError,
  streamsConsumedBy,
  toStreamFields,
  TransientError,
  PermanentError,
  JOB_ERROR_CODES,
  isRetryableCode,
  SERVICES,
} from '../src/index.js';

describe('keys', () => {
  it('when built with the default prefix, then stream keys are pixsim:<TYPE> and dlq keys carry the stream as their hash tag', () => {
    const keys = createKeys();
    expect(keys.stream('JOB_CREATED')).toBe('pixsim:JOB_CREATED');
    expect(keys.deadLetter('JOB_FAILED')).toBe('{pixsim:JOB_FAILED}:dlq');
  });

  it('when the prefix has a space or a colon, then it is refused with the pattern', () => {
    expect(() => createKeys('a b')).toThrow(/must match/);
    expect(() => createKeys('a:b')).toThrow(/must match/);
  });
});

describe('topology', () => {
  it('when any stream is listed, then its schema refuses an empty payload and known services consume it', () => {
    for (const type of EVENT_TYPES) {
      expect(EVENT_SCHEMAS[type].schema.safeParse({}).success, type).toBe(false);
      expect(CONSUMERS[type].length, type).toBeGreaterThan(0);
      for (const service of CONSUMERS[type]) expect(SERVICES, `${type} -> ${service}`).toContain(service);
    }
  });

  it('when asked for the dispatcher, then it consumes created, terminal, cancel and account streams', () => {
    expect(streamsConsumedBy('dispatcher').sort()).toEqual(
      ['ACCOUNT_COMMAND', 'JOB_CANCEL_REQUESTED', 'JOB_COMPLETED', 'JOB_CREATED', 'JOB_FAILED'].sort(),
    );
  });
});

describe('envelope', () => {
  it('when an envelope is flattened and parsed, then it round-trips', () => {
    const env = {
      id: 'j:JOB_CREATED',
      type: 'JOB_CREATED' as const,
      v: 1,
      at: new Date().toISOString(),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      data: { a: [1, 'x'] },
    };
    expect(parseEnvelope(toStreamFields(env))).toEqual(env);
  });

  it('when a field is missing or data is not JSON, then a SchemaError names the field', () => {
    expect(() => parseEnvelope(['id', 'x', 'type', 'JOB_CREATED', 'v', '1', 'data', '{}'])).toThrow(/at:/);
    expect(() =>
      parseEnvelope(['id', 'x', 'type', 'NOPE', 'v', '1', 'at', new Date().toISOString(), 'data', '{}']),
    ).toThrow(/type:/);
    try {
      parseEnvelope(['id', 'x', 'type', 'JOB_CREATED', 'v', '1', 'at', new Date().toISOString(), 'data', '{nope']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaError);
      expect((err as SchemaError).code).toBe('SCHEMA_INVALID');
    }
  });
});

describe('errors', () => {
  it('when an error is a socket, driver or own transient error, then it is transient; a permanent one is not', () => {
    expect(isTransient(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isTransient(new TransientError('later'))).toBe(true);
    expect(isTransient(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) }))).toBe(
      true,
    );
    expect(isTransient(new PermanentError('never'))).toBe(false);
    expect(isTransient(new TypeError('bug'))).toBe(false);
  });

  it('when the catalogue is read, then business failures are not retryable and provider hiccups are', () => {
    expect(isRetryableCode('PROVIDER_MODERATION')).toBe(false);
    expect(isRetryableCode('PROVIDER_UNAVAILABLE')).toBe(true);
    expect(Object.keys(JOB_ERROR_CODES)).toContain('RETRIES_EXHAUSTED');
  });
});
