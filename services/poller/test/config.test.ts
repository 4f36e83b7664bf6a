import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@pixsim/kit';
import { configSchema } from '../src/config.js';
import { PRIVATE_KEYS } from './helpers.js';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017', PIXSIM_SEALING_PRIVATE_KEYS: PRIVATE_KEYS };

describe('poller config', () => {
  it('when only the required variables are set, then the documented defaults apply', () => {
    const c = loadConfig(configSchema, base);
    expect(c).toMatchObject({
      POLL_TICK_MS: 500,
      POLL_IDLE_TICK_MS: 2_000,
      POLL_BATCH: 200,
      POLL_CONCURRENCY: 100,
      LEASE_MS: 30_000,
      POLL_INTERVAL_S: 10,
      JOB_TIMEOUT_S: 3600,
    });
    expect(c.FIRST_POLL_DELAY_MS).toBeUndefined();
    expect(c.PIXSIM_SEALING_PRIVATE_KEYS.current.kid).toBe('k1');
    expect(c.PIXSIM_SECRET_KEY).toBeUndefined();
  });

  it('when PIXSIM_SEALING_PRIVATE_KEYS is malformed, then start-up fails naming it, without echoing the value', () => {
    const err = (() => {
      try {
        loadConfig(configSchema, { ...base, PIXSIM_SEALING_PRIVATE_KEYS: 'k1:c2hvcnQ=', POLL_BATCH: 'many' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.issues.map((i) => i.variable).sort()).toEqual(['PIXSIM_SEALING_PRIVATE_KEYS', 'POLL_BATCH']);
    expect(err!.message).not.toContain('c2hvcnQ=');
  });
});
