import { describe, expect, it } from 'vitest';
import { generateSealingKeyPair } from '@pixsim/credentials';
import { ConfigError, loadConfig } from '@pixsim/kit';
import { configSchema, registrationMode } from '../src/config.js';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
  PIXSIM_ADMIN_TOKEN: 'a-long-enough-admin-token',
  PIXSIM_SEALING_PUBLIC_KEY: generateSealingKeyPair().publicKey,
  JWT_SECRET: 'j'.repeat(32),
};

describe('gateway config', () => {
  it('when only the required variables are set, then the defaults apply', () => {
    const config = loadConfig(configSchema, base);
    expect(config).toMatchObject({ PORT: 8000, HOST: '0.0.0.0', BODY_LIMIT_BYTES: 1_048_576, STREAM_PREFIX: 'pixsim' });
    expect(config.MONGODB_DB).toBeUndefined();
    expect(config).toMatchObject({
      ACCESS_TOKEN_TTL_S: 3600,
      RATE_LIMIT_IP_MAX: 6000,
      RATE_LIMIT_USER_MAX: 600,
      RATE_LIMIT_WINDOW_MS: 60_000,
      TRUST_PROXY: false,
      SSE_HEARTBEAT_MS: 15_000,
      REQUEST_TIMEOUT_MS: 30_000,
      CALLBACK_SECRET_GRACE_S: 86_400,
      READ_MODEL_CACHE_SIZE: 5_000,
    });
    expect(registrationMode(config)).toBe('open');
    expect(config.QUOTA_MAX_ACTIVE_JOBS).toBeUndefined();
    expect(config.PIXVERSE_WEBHOOK_SECRET).toBeUndefined();
  });

  it('when JWT_SECRET is missing or short, then it is reported without echoing it', () => {
    expect(() => loadConfig(configSchema, { ...base, JWT_SECRET: undefined })).toThrow(/JWT_SECRET: is required/);
    const err = (() => {
      try {
        loadConfig(configSchema, { ...base, JWT_SECRET: 'too-short-secret' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err.message).toContain('JWT_SECRET');
    expect(err.message).not.toContain('too-short-secret');
  });

  it('when READ_MODEL_CACHE_SIZE is set, then it parses; zero or a fraction is refused, naming the variable', () => {
    expect(loadConfig(configSchema, { ...base, READ_MODEL_CACHE_SIZE: '20000' }).READ_MODEL_CACHE_SIZE).toBe(20_000);
    expect(() => loadConfig(configSchema, { ...base, READ_MODEL_CACHE_SIZE: '0' })).toThrow(
      /READ_MODEL_CACHE_SIZE: expected an integer/,
    );
    expect(() => loadConfig(configSchema, { ...base, READ_MODEL_CACHE_SIZE: '1.5' })).toThrow(/READ_MODEL_CACHE_SIZE/);
  });

  it('when registration is turned off and a proxy hop count is given, then both parse', () => {
    const config = loadConfig(configSchema, {
      ...base,
      REGISTRATION_ENABLED: 'false',
      TRUST_PROXY: '2',
      RATE_LIMIT_USER_MAX: '0',
    });
    expect(config).toMatchObject({ REGISTRATION_ENABLED: false, TRUST_PROXY: 2, RATE_LIMIT_USER_MAX: 0 });
    expect(registrationMode(config)).toBe('closed');
    expect(registrationMode(loadConfig(configSchema, { ...base, REGISTRATION: 'closed' }))).toBe('closed');
    expect(() => loadConfig(configSchema, { ...base, REGISTRATION: 'maybe' })).toThrow(/REGISTRATION/);
  });

  it('when TRUST_PROXY lists proxies, then addresses and CIDRs parse; true (trust anyone) is refused', () => {
    expect(loadConfig(configSchema, { ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
    expect(loadConfig(configSchema, { ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(() => loadConfig(configSchema, { ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY.*hop count/);
    expect(() => loadConfig(configSchema, { ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY/);
  });

  it('when quotas and the admin token rotation are set, then they parse', () => {
    const config = loadConfig(configSchema, {
      ...base,
      PIXSIM_ADMIN_TOKEN_PREVIOUS: 'the-previous-admin-token',
      QUOTA_MAX_ACTIVE_JOBS: '5',
      QUOTA_JOBS_PER_DAY: '100',
      QUOTA_CREDITS_PER_DAY: '5000',
      DNS_SERVERS: '127.0.0.1:5353,[::1]:53',
    });
    expect(config).toMatchObject({ QUOTA_MAX_ACTIVE_JOBS: 5, QUOTA_JOBS_PER_DAY: 100, QUOTA_CREDITS_PER_DAY: 5000 });
    expect(() => loadConfig(configSchema, { ...base, DNS_SERVERS: 'dns.google' })).toThrow(/DNS_SERVERS/);
  });

  it('when the admin token is short or the secret key malformed, then the error names them without echoing them', () => {
    const err = (() => {
      try {
        loadConfig(configSchema, {
          ...base,
          PIXSIM_ADMIN_TOKEN: 'short-secret',
          PIXSIM_SEALING_PUBLIC_KEY: 'c2hvcnQ=',
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['PIXSIM_ADMIN_TOKEN', 'PIXSIM_SEALING_PUBLIC_KEY']);
    expect(err.message).not.toContain('short-secret');
    expect(err.message).toContain('32 bytes');
  });

  it('when the admin token is missing, then the config loads (it is optional once an admin user exists; main checks)', () => {
    expect(loadConfig(configSchema, { ...base, PIXSIM_ADMIN_TOKEN: undefined }).PIXSIM_ADMIN_TOKEN).toBeUndefined();
  });
});
