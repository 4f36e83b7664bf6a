import { declareIndexes } from '@pixsim/persistence';
import { accountModel } from './account-store.js';
import { assetModel } from './asset-store.js';
import { callbackModel } from './callback-store.js';
import { idempotencyModel } from './idempotency-store.js';
import { apiKeyModel, sessionModel, userModel } from './identity-store.js';
import { jobModel } from './job-store.js';
import { jobEventModel } from './job-timeline.js';

/**
 * The gateway's indexes (declared on each schema) and the queries they must serve.
 * `npm run migrate` builds them; the gateway never does in production.
 */
export const indexes = declareIndexes(
  'gateway',
  [
    jobModel,
    accountModel,
    assetModel,
    callbackModel,
    idempotencyModel,
    userModel,
    sessionModel,
    apiKeyModel,
    jobEventModel,
  ],
  [
    // GET /jobs: the caller's jobs (or all, for an admin), newest first, optionally by status or operation.
    { name: 'jobs by user', collection: 'jobs', filter: ['user_id'], sort: { created_at: -1, _id: -1 } },
    {
      name: 'jobs by user and status',
      collection: 'jobs',
      filter: ['user_id', 'status'],
      sort: { created_at: -1, _id: -1 },
    },
    { name: 'jobs by status', collection: 'jobs', filter: ['status'], sort: { created_at: -1, _id: -1 } },
    { name: 'jobs by operation', collection: 'jobs', filter: ['operation_type'], sort: { created_at: -1, _id: -1 } },
    { name: 'all jobs', collection: 'jobs', filter: [], sort: { created_at: -1, _id: -1 } },
    { name: 'job by id', collection: 'jobs', filter: ['_id'] },
    { name: 'jobs ended lately (stats)', collection: 'jobs', filter: ['completed_at'] },
    { name: 'assets by user', collection: 'assets', filter: ['user_id'], sort: { created_at: -1, _id: -1 } },
    { name: 'accounts listed', collection: 'accounts', filter: ['deleted'], sort: { created_at: -1, _id: -1 } },
    { name: 'callbacks due', collection: 'callbacks', filter: ['state', 'next_at'], sort: { next_at: 1 } },
    { name: 'callbacks by state', collection: 'callbacks', filter: ['state'], sort: { created_at: -1, _id: -1 } },
    { name: 'idempotency by user and key', collection: 'idempotency_keys', filter: ['user_id', 'key'] },
    { name: 'users by email', collection: 'users', filter: ['email_lower'] },
    { name: 'api keys by hash', collection: 'api_keys', filter: ['key_hash'] },
    { name: 'api keys of a user', collection: 'api_keys', filter: ['user_id'], sort: { created_at: -1 } },
    { name: 'a job timeline', collection: 'job_events', filter: ['job_id'], sort: { at: 1 } },
  ],
);
