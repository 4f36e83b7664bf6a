import type { AccountStore } from './accounts.js';
import type { FaultInjector } from './faults.js';
import type { GenerationStore } from './generations.js';
import type { ImageStore } from './images.js';
import type { Rng } from './random.js';
import type { StatsRecorder } from './stats.js';
import type { SimConfig } from './types.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

/** The simulator's state, shared by the routes; built once per simulator by `startSimulator`. */
export interface SimCore {
  accounts: AccountStore;
  generations: GenerationStore;
  images: ImageStore;
  stats: StatsRecorder;
  faults: FaultInjector;
  webhook: WebhookDispatcher | undefined;
  config: SimConfig;
  /** Draws seeds for generations submitted without one. */
  seedRng: Rng;
  now(): number;
  /** Applies what time has made due, then makes sure the scheduler wakes for the next. */
  settle(): void;
}
