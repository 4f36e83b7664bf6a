import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { configSchema as assetConfig } from '../../services/asset/src/config.js';
import { configSchema as dispatcherConfig } from '../../services/dispatcher/src/config.js';
import { configSchema as gatewayConfig } from '../../services/gateway/src/config.js';
import { configSchema as jobIntakeConfig } from '../../services/job-intake/src/config.js';
import { configSchema as pollerConfig } from '../../services/poller/src/config.js';
import type { ServiceName } from '@pixsim/contracts';
import { drainMs as assetDrain } from '../../services/asset/src/drain.js';
import { drainMs as dispatcherDrain } from '../../services/dispatcher/src/drain.js';
import { drainMs as gatewayDrain } from '../../services/gateway/src/drain.js';
import { drainMs as jobIntakeDrain } from '../../services/job-intake/src/drain.js';
import { drainMs as pollerDrain } from '../../services/poller/src/drain.js';
import { generateSealingKeyPair } from '@pixsim/credentials';

/** Each service's environment schema: a deployment's env must parse with it. */
export const CONFIG_SCHEMAS: Record<ServiceName, z.ZodType> = {
  gateway: gatewayConfig,
  'job-intake': jobIntakeConfig,
  dispatcher: dispatcherConfig,
  poller: pollerConfig,
  asset: assetConfig,
};

/**
 * Where each service answers /ready and /metrics: its side server (OPS_PORT), the gateway's
 * too, so neither is on the public port. /health is there as well (and on the gateway's PORT).
 */
export const SERVICE_PORTS: Record<ServiceName, { variable: 'PORT' | 'OPS_PORT'; port: number }> = {
  gateway: { variable: 'OPS_PORT', port: 9100 },
  'job-intake': { variable: 'OPS_PORT', port: 9101 },
  dispatcher: { variable: 'OPS_PORT', port: 9102 },
  poller: { variable: 'OPS_PORT', port: 9103 },
  asset: { variable: 'OPS_PORT', port: 9104 },
};

/** The gateway's public API port. */
export const GATEWAY_PORT = 8000;

/** Each service's drain (onShutdown delayMs) as the service derives it from its parsed config. */
export const DRAIN_MS: Record<ServiceName, (config: any) => number> = {
  gateway: gatewayDrain,
  'job-intake': () => jobIntakeDrain(),
  dispatcher: dispatcherDrain,
  poller: pollerDrain,
  asset: () => assetDrain(),
};

const PLACEHOLDER_PAIR = generateSealingKeyPair('k1');

/**
 * Stand-ins for values that live in Secrets created outside git (prod): well-formed, so a
 * failure means the manifest misses a variable, not that the placeholder is odd.
 */
export function placeholderSecret(key: string): string {
  if (key === 'PIXSIM_SECRET_KEY') return randomBytes(32).toString('base64');
  if (key === 'PIXSIM_SEALING_PUBLIC_KEY') return PLACEHOLDER_PAIR.publicKey;
  if (key === 'PIXSIM_SEALING_PRIVATE_KEYS') return PLACEHOLDER_PAIR.privateKey;
  if (key === 'REDIS_URL') return 'rediss://:password@redis.example.internal:6380';
  if (key.startsWith('MONGODB_URI')) return 'mongodb+srv://pixsim:password@cluster0.example.internal/?retryWrites=true';
  if (key === 'NATS_URL') return 'tls://nats.example.internal:4222';
  return 'x'.repeat(48);
}
