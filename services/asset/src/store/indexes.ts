import { declareIndexes } from '@pixsim/persistence';
import { assetModel } from './asset-store.js';

/** The asset service's indexes (declared on the schema) and the queries they must serve. */
export const indexes = declareIndexes(
  'asset',
  [assetModel],
  [{ name: 'createOnce', collection: 'assets', filter: ['job_id'] }],
);
