import { declareIndexes } from '@pixsim/persistence';
import { jobModel } from './job-store.js';

/** job-intake's indexes (declared on the schema) and the queries they must serve. */
export const indexes = declareIndexes(
  'job-intake',
  [jobModel],
  [
    { name: 'a job by id (every event)', collection: 'jobs', filter: ['_id'] },
    { name: 'jobs by status', collection: 'jobs', filter: ['status'] },
  ],
);
