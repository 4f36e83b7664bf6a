import type { Connection } from 'mongoose';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@pixsim/kit';
import type { UserStore } from '../identity/ports.js';
import type { ResolveHost } from '../jobs/public-url.js';
import { createCallbackStore, type CallbackStore } from '../store/callback-store.js';
import type { AssetStore } from '../store/ports.js';
import type { CallbackSecrets } from './callback-secrets.js';
import { createCallbackSender } from './callback-sender.js';
import { createCallbackTrigger, type OnJobView } from './callback-trigger.js';
import { createCallbackWorker } from './callback-worker.js';

export interface CallbackSettings {
  timeoutMs: number;
  allowPrivate: boolean;
  concurrency: number;
  lanesPerUser?: number;
  maxAttempts: number;
  firstRetryMs: number;
}

export interface Callbacks {
  store: CallbackStore;
  /** Schedules a job's callback when the read model writes its final view. */
  trigger: OnJobView;
  worker: { start(): void; stop(): Promise<void> };
}

/** Callbacks to clients: scheduled from the read model's final views, delivered by a worker on every replica. */
export async function createCallbacks(deps: {
  conn: Connection;
  registry: Registry;
  logger: Logger;
  secrets: CallbackSecrets;
  users: UserStore;
  assets: AssetStore;
  resolveHost: ResolveHost;
  /** This replica's name on the callbacks it leases. */
  owner: string;
  settings: CallbackSettings;
  clock: () => Date;
}): Promise<Callbacks> {
  const { settings, secrets, users, clock } = deps;
  const store = await createCallbackStore(deps.conn);
  const outcomes = new Counter({
    name: 'pixsim_callbacks_total',
    help: 'Callback attempts by outcome',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  const send = createCallbackSender({
    // Each user's own secrets: the current one, and the one before it while its grace lasts.
    // The bootstrap admin ("admin") has no user record: its secret is the first derived one.
    // A callback scheduled before callbacks named their owner is signed with the root, as then.
    secretsFor: async (userId) => {
      if (!userId) return [secrets.root];
      return secrets.signingSecrets((await users.get(userId)) ?? { _id: userId });
    },
    timeoutMs: settings.timeoutMs,
    allowPrivate: settings.allowPrivate,
    resolveHost: deps.resolveHost,
    clock,
    logger: deps.logger.child({ component: 'callbacks' }),
  });
  const worker = createCallbackWorker({
    store,
    send,
    owner: deps.owner,
    concurrency: settings.concurrency,
    perUser: settings.lanesPerUser,
    policy: { maxAttempts: settings.maxAttempts, firstRetryMs: settings.firstRetryMs },
    leaseMs: settings.timeoutMs * 3,
    idleMs: 1_000,
    clock,
    logger: deps.logger,
    onOutcome: (kind) => outcomes.inc({ outcome: kind }),
  });
  return { store, trigger: createCallbackTrigger({ store, assets: deps.assets, clock }), worker };
}
