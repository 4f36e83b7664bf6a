import { PermanentError } from '@pixsim/contracts';
import type { VideoProvider } from './provider-port.js';

export interface ProviderRegistry {
  /** Throws a PermanentError (code UNKNOWN_PROVIDER) for an id nobody registered. */
  get(providerId: string): VideoProvider;
  has(providerId: string): boolean;
  list(): VideoProvider[];
  close(): Promise<void>;
}

export function createProviderRegistry(providers: Record<string, VideoProvider | undefined>): ProviderRegistry {
  const byId = new Map<string, VideoProvider>();
  for (const provider of Object.values(providers)) if (provider) byId.set(provider.id, provider);
  return {
    get(providerId) {
      const provider = byId.get(providerId);
      if (!provider) throw unknownProvider(providerId, [...byId.keys()]);
      return provider;
    },
    has: (providerId) => byId.has(providerId),
    list: () => [...byId.values()],
    async close() {
      await Promise.all([...byId.values()].map((p) => p.close()));
    },
  };
}

/** The error for a provider id nobody registered (code UNKNOWN_PROVIDER), naming the known ones. */
export function unknownProvider(providerId: string, known: readonly string[]): PermanentError {
  return new PermanentError(`unknown provider ${providerId}; known: ${known.join(', ') || 'none'}`, {
    code: 'UNKNOWN_PROVIDER',
  });
}
