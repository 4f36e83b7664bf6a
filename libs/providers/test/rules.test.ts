import { describe, expect, it } from 'vitest';
import type { JobParams } from '@pixsim/contracts';
import {
  createPixverseProvider,
  createProviderRegistry,
  PROVIDER_RULES,
  providerCatalog,
  validateForProvider,
} from '../src/index.js';

describe('provider rules', () => {
  it('when the provider is unknown, then the only issue names provider_id', () => {
    expect(validateForProvider('nope', { operationType: 'text_to_video', params: { prompt: 'x' } })).toEqual([
      { field: 'provider_id', message: 'unknown provider nope' },
    ]);
    expect(validateForProvider('toString', { operationType: 'text_to_video', params: { prompt: 'x' } })).toHaveLength(
      1,
    );
  });

  it('when a PixVerse request breaks a limit, then the rules answer as the HTTP adapter does, without a client', async () => {
    const adapter = createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' });
    try {
      for (const params of <JobParams[]>[
        { prompt: 'x', model: 'v99' },
        { prompt: 'p'.repeat(3000) },
        { prompt: 'ok' },
      ]) {
        const req = { operationType: 'text_to_video' as const, params };
        expect(validateForProvider('pixverse', req)).toEqual(adapter.validate(req));
        if (adapter.validate(req).length === 0)
          expect(PROVIDER_RULES.pixverse!.estimateCost(req)).toBe(adapter.estimateCost(req));
      }
      expect(
        validateForProvider('pixverse', { operationType: 'text_to_video', params: { prompt: 'x', model: 'v99' } })[0]
          ?.field,
      ).toBe('params.model');
    } finally {
      await adapter.close();
    }
  });
});

describe('provider catalogue', () => {
  it('when a provider is known, then the catalogue answers has and prices as the registry would', async () => {
    const registry = createProviderRegistry({ pixverse: createPixverseProvider({ baseUrl: 'http://127.0.0.1:9' }) });
    try {
      const req = { operationType: 'text_to_video' as const, params: { prompt: 'ok', quality: '1080p', duration: 8 } };
      expect(providerCatalog.has('pixverse')).toBe(true);
      expect(providerCatalog.get('pixverse').estimateCost(req)).toBe(registry.get('pixverse').estimateCost(req));
    } finally {
      await registry.close();
    }
  });

  it('when a provider is unknown, then has is false and get throws UNKNOWN_PROVIDER, as the registry does', () => {
    for (const id of ['nope', 'toString', '__proto__']) {
      expect(providerCatalog.has(id)).toBe(false);
      expect(() => providerCatalog.get(id)).toThrow(expect.objectContaining({ code: 'UNKNOWN_PROVIDER' }));
    }
  });
});
