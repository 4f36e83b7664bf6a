import type { Cluster, Redis } from 'ioredis';
import { eventIds, type Keys } from '@pixsim/contracts';
import type { Publish } from '../ports.js';

/** Remembers webhook nonces for twice the timestamp window, so a replay inside it is refused. */
export interface NonceStore {
  /** True the first time a nonce is seen. */
  claim(nonce: string): Promise<boolean>;
}

const NONCE_TTL_S = 600;

export function redisNonceStore(redis: Redis | Cluster, keys: Keys): NonceStore {
  return {
    async claim(nonce) {
      return (await redis.set(keys.service('gateway', 'webhook-nonce', nonce), '1', 'EX', NONCE_TTL_S, 'NX')) === 'OK';
    },
  };
}

/** Makes the poller check a generation now instead of at its next poll time. */
export type PokeGeneration = (poke: {
  providerId: string;
  providerJobId: string;
  status: number | null;
  nonce: string;
}) => Promise<void>;

/** The poller owns generations: a webhook tells it to look now (GENERATION_POKED). */
export function publishPoke(publish: Publish, clock: () => Date): PokeGeneration {
  return async ({ providerId, providerJobId, status, nonce }) => {
    await publish({
      type: 'GENERATION_POKED',
      id: eventIds.generationPoked(providerJobId, nonce),
      data: {
        provider_id: providerId,
        provider_job_id: providerJobId,
        provider_status: status,
        received_at: clock().toISOString(),
      },
    });
  };
}
