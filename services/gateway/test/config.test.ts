import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@pixsim/kit';
import { configSchema } from '../src/config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017', PIXSIM_ADMIN_TOKEN: 'a-long-enough-admin-token', PIXSIM_SECRET_KEY: KEY };

describe('gateway config', () => {
  it('when only the required variables are set, then the defaults apply', () => {
    const config = loadConfig(configSchema, base);
    expect(config).toMatchObject({ PORT: 8000, HOST: '0.0.0.0', BODY_LIMIT_BYTES: 1_048_576, STREAM_PREFIX: 'pixsim' });
    expect(config.MONGODB_DB).toBeUndefined();
  });

  it('when the admin token is short or the secret key malformed, then the error names them without echoing them', () => {
    const err = (() => {
      try {
        loadConfig(configSchema, { ...base, PIXSIM_ADMIN_TOKEN: 'short-secret', PIXSIM_SECRET_KEY: 'c2hvcnQ=' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['PIXSIM_ADMIN_TOKEN', 'PIXSIM_SECRET_KEY']);
    expect(err.message).not.toContain('short-secret');
    expect(err.message).toContain('32 bytes');
  });

  it('when the admin token is missing, then it is reported as required', () => {
    expect(() => loadConfig(configSchema, { ...base, PIXSIM_ADMIN_TOKEN: undefined })).toThrow(/PIXSIM_ADMIN_TOKEN: is required/);
  });
});
