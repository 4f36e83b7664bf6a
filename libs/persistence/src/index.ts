export { isDuplicateKey } from './duplicate-key.js';
export { defineModel, AFTER, PRIMARY, type ModelDef, type TypedCollection } from './model.js';
export {
  createFoldStore,
  type FoldStore,
  type FoldStoreOptions,
  type FoldResult,
  type ApplyOptions,
  type Versioned,
} from './fold-store.js';
export { declareIndexes, migrateIndexes, listIndexKeys, type IndexSet, type IndexChange } from './migrate.js';
export { indexServes, unservedQueries, type HotQuery } from './migrate.js';
export {
  migrateServices,
  INDEXES_MODULE,
  type MigrateServicesOptions,
  type ServiceMigration,
} from './migrate-services.js';
export {
  createGroupCommit,
  BatchedWriteError,
  type GroupCommit,
  type GroupCommitOptions,
  type SingleWrite,
  type WriteOutcome,
} from './group-commit.js';
export { createPurgedReplayGuard } from './purged-replay.js';
