import { describe, expect, it } from 'vitest';
import { PermanentError } from '@pixsim/contracts';
import { createPixverseProvider, createProviderRegistry } from '../src/index.js';

describe('createProviderRegistry', () => {
  it('when asked for pixverse, then it returns the pixverse provider', async () => {
    const pixverse = createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' });
    const registry = createProviderRegistry({ pixverse });
    expect(registry.get('pixverse')).toBe(pixverse);
    expect(registry.has('pixverse')).toBe(true);
    await registry.close();
  });

  it('when asked for an unknown id, then it throws a PermanentError', async () => {
    const registry = createProviderRegistry({ pixverse: createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' }) });
    expect(() => registry.get('runway')).toThrow(PermanentError);
    try {
      registry.get('runway');
    } catch (err) {
      expect((err as PermanentError).code).toBe('UNKNOWN_PROVIDER');
      expect((err as PermanentError).retryable).toBe(false);
    }
    await registry.close();
  });
});
