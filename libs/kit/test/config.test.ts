import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  EX_CONFIG,
  boolFromEnv,
  exitOnConfigError,
  intFromEnv,
  loadConfig,
  sharedConfigShape,
} from '../src/index.js';

const schema = z.object(sharedConfigShape);
const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017' };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when only MONGODB_URI is set, then every shared default applies', () => {
    expect(loadConfig(schema, base)).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MONGODB_URI: 'mongodb://127.0.0.1:27017',
      NATS_URL: 'nats://127.0.0.1:4222',
      MAX_JOBS: 10,
      MAX_TRIES: 3,
      JOB_TIMEOUT_S: 3600,
      POLL_INTERVAL_S: 10,
      PIXVERSE_BASE_URL: 'https://app-api.pixverse.ai',
      LOG_LEVEL: 'info',
      OPS_HOST: '0.0.0.0',
      STREAM_PARTITIONS: 1,
      STREAM_MAX_LEN: 1_000_000,
      REDIS_WAIT_REPLICAS: 0,
      REDIS_WAIT_TIMEOUT_MS: 500,
      STREAM_PREFIX: 'pixsim',
    });
  });

  it('when REDIS_CLUSTER_NODES lists host:port seeds, then they are parsed; a seed without a port or a partition count out of range is refused by name', () => {
    expect(loadConfig(schema, { ...base, REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis-2:7001,' })).toMatchObject({
      REDIS_CLUSTER_NODES: ['10.0.0.1:7000', 'redis-2:7001'],
    });
    expect(() => loadConfig(schema, { ...base, REDIS_CLUSTER_NODES: 'redis-1' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig(schema, { ...base, STREAM_PARTITIONS: '0' })).toThrow(/STREAM_PARTITIONS/);
  });

  it('when numbers arrive as strings, then they are coerced', () => {
    const cfg = loadConfig(schema, { ...base, MAX_JOBS: '4', PORT: '8080', OPS_PORT: '0', LOG_LEVEL: 'DEBUG' });
    expect(cfg).toMatchObject({ MAX_JOBS: 4, PORT: 8080, OPS_PORT: 0, LOG_LEVEL: 'debug' });
  });

  it('when only the legacy ARQ names are set, then they fill the new names', () => {
    const cfg = loadConfig(schema, { ...base, ARQ_MAX_JOBS: '7', ARQ_JOB_TIMEOUT: '120', ARQ_MAX_TRIES: '5' });
    expect(cfg).toMatchObject({ MAX_JOBS: 7, JOB_TIMEOUT_S: 120, MAX_TRIES: 5 });
  });

  it('when both a legacy and a new name are set, then the new name wins', () => {
    const cfg = loadConfig(schema, { ...base, ARQ_MAX_JOBS: '7', MAX_JOBS: '3', ARQ_MAX_TRIES: '9', MAX_TRIES: '2' });
    expect(cfg).toMatchObject({ MAX_JOBS: 3, MAX_TRIES: 2 });
  });

  it('when a variable is set to the empty string, then it counts as unset', () => {
    expect(loadConfig(schema, { ...base, MAX_JOBS: '', ARQ_MAX_TRIES: '' })).toMatchObject({
      MAX_JOBS: 10,
      MAX_TRIES: 3,
    });
  });

  it('when several variables are bad, then the error names every one and why', () => {
    const err = configError(() =>
      loadConfig(schema, {
        MAX_JOBS: 'ten',
        JOB_TIMEOUT_S: '-5',
        LOG_LEVEL: 'loud',
        STREAM_PREFIX: 'bad prefix!',
        REDIS_URL: 'localhost:6379',
      }),
    );
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('MAX_JOBS: expected a positive integer, got "ten"');
    expect(err.message).toContain('JOB_TIMEOUT_S: expected a positive integer, got "-5"');
    expect(err.message).toContain(
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(err.message).toContain('STREAM_PREFIX:');
    expect(err.message).toContain('REDIS_URL: expected a URL starting with redis:// or rediss://');
    expect(err.message).toContain('MONGODB_URI: is required but not set');
    expect(err.issues.map((i) => i.variable).sort()).toEqual(
      ['JOB_TIMEOUT_S', 'LOG_LEVEL', 'MAX_JOBS', 'MONGODB_URI', 'REDIS_URL', 'STREAM_PREFIX'].sort(),
    );
  });

  it('when a bad value came through a legacy name, then the message says so', () => {
    const err = configError(() => loadConfig(schema, { ...base, ARQ_MAX_JOBS: 'many' }));
    expect(err.message).toContain('MAX_JOBS (from ARQ_MAX_JOBS): expected a positive integer, got "many"');
  });

  it('when a bad value is a secret or a URL with a password, then the message does not echo it', () => {
    const s = z.object({ API_TOKEN: z.string().min(20), MONGODB_URI: sharedConfigShape.MONGODB_URI });
    const err = configError(() => loadConfig(s, { API_TOKEN: 'hunter2', MONGODB_URI: 'http://user:s3cret@db' }));
    expect(err.message).toContain('API_TOKEN:');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('s3cret');
  });

  it('when integers are malformed or out of range, then intFromEnv refuses them', () => {
    const port = intFromEnv({ min: 0, max: 65_535 });
    expect(port.safeParse('65535').success).toBe(true);
    for (const bad of ['65536', '1.5', '1e3', '0x10', ' ', 'ten']) expect(port.safeParse(bad).success).toBe(false);
  });

  it('when booleans are spelled in the usual ways, then boolFromEnv reads them', () => {
    const b = boolFromEnv();
    for (const t of ['true', 'TRUE', '1', 'yes', 'on']) expect(b.parse(t)).toBe(true);
    for (const f of ['false', '0', 'No', 'off']) expect(b.parse(f)).toBe(false);
    const err = configError(() => loadConfig(z.object({ FLAG: b }), { FLAG: 'maybe' }));
    expect(err.message).toContain('FLAG: expected true or false');
  });
});

describe('exitOnConfigError', () => {
  it('when loading fails with a ConfigError, then it prints the message and exits 78', () => {
    let written = '';
    let code: number | undefined;
    const exit = (c: number): never => {
      code = c;
      throw new Error('exited');
    };
    expect(() => exitOnConfigError(() => loadConfig(schema, {}), { write: (t) => (written += t), exit })).toThrow(
      'exited',
    );
    expect(code).toBe(EX_CONFIG);
    expect(code).toBe(78);
    expect(written).toContain('MONGODB_URI: is required but not set');
  });

  it('when loading succeeds, then it returns the config', () => {
    expect(exitOnConfigError(() => loadConfig(schema, base)).MAX_JOBS).toBe(10);
  });

  it('when the failure is not a ConfigError, then it propagates untouched', () => {
    const boom = new Error('boom');
    expect(() =>
      exitOnConfigError(() => {
        throw boom;
      }),
    ).toThrow(boom);
  });
});
