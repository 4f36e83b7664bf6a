import { declareIndexes } from '@pixsim/persistence';
import { generationModel } from './generation-model.js';

/**
 * The poller's indexes (declared on the schema, the TTL on purge_at among them) and the
 * queries they must serve. `npm run migrate` builds them; the services never do in production.
 */
export const indexes = declareIndexes(
  'poller',
  [generationModel],
  [
    {
      name: 'claimDue',
      collection: 'generations',
      filter: ['status', 'next_poll_at', 'lease_until'],
      sort: { next_poll_at: 1 },
    },
    { name: 'by job (every event)', collection: 'generations', filter: ['job_id'] },
    { name: 'pokeNow (provider job id)', collection: 'generations', filter: ['status', 'provider_job_id'] },
    { name: 'unannounced', collection: 'generations', filter: ['status', 'ended_at'] },
    { name: 'countPolling', collection: 'generations', filter: ['status'] },
  ],
);
