import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@pixsim/contracts';

/** Remembers webhook nonces for twice the timestamp window, so a replay inside it is refused. */
export interface NonceStore {
  /** True the first time a nonce is seen. */
  claim(nonce: string): Promise<boolean>;
}

export const NONCE_TTL_S = 600;

export function redisNonceStore(redis: Redis | Cluster, keys: Keys): NonceStore {
  return {
    async claim(nonce) {
      return (await redis.set(keys.service('gateway', 'webhook-nonce', nonce), '1', 'EX', NONCE_TTL_S, 'NX')) === 'OK';
    },
  };
}

/**
 * Makes the poller check a generation now instead of at its next poll time.
 * A no-op until contracts has an event for it (GENERATION_POKED); the poll
 * loop still finds the outcome, only later.
 */
export type PokeGeneration = (poke: {
  providerId: string;
  providerJobId: string;
  status: number | null;
  nonce: string;
}) => Promise<void>;

export const noPoke: PokeGeneration = async () => {};
