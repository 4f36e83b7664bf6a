import { declareIndexes } from '@pixsim/persistence';
import { accountModel } from './account-store.js';
import { submissionModel } from './submission-model.js';

/**
 * The dispatcher's indexes (declared on each schema) and the queries they must serve.
 * `npm run migrate` builds them; the services never do in production.
 */
export const indexes = declareIndexes(
  'dispatcher',
  [submissionModel, accountModel],
  [
    // The scanner's due jobs: each $or branch, read in dispatch order.
    {
      name: 'due (waiting)',
      collection: 'submissions',
      filter: ['state', 'next_attempt_at'],
      sort: { priority: -1, created_at: 1 },
    },
    {
      name: 'due (stale claim)',
      collection: 'submissions',
      filter: ['state', 'claimed_at'],
      sort: { priority: -1, created_at: 1 },
    },
    { name: 'unannounced', collection: 'submissions', filter: ['announced', 'settled_at'] },
    { name: 'holdsByAccount', collection: 'submissions', filter: ['state', 'released', 'account_id'] },
    { name: 'countWaiting', collection: 'submissions', filter: ['state'] },
    {
      name: 'reserveBest',
      collection: 'accounts',
      filter: ['provider_id', 'deleted', 'credits', 'status', 'cooldown_until'],
      sort: { priority: -1, last_used: 1 },
    },
  ],
);
