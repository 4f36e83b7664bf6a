export {
  createPublisher,
  DEFAULT_STREAM_MAX_LEN,
  type ReplicationOptions,
  type Publisher,
  type PublishInput,
  type PublishResult,
  type PublisherOptions,
} from './publisher.js';
export { createConsumer, type Consumer, type ConsumerOptions } from './consumer.js';
export type { ConsumedEvent, EventHandler } from './entry-processor.js';
export { listDeadLetters, replayDeadLetters, moveToDeadLetter, type DeadLetter } from './dead-letter.js';
export {
  streamStats,
  type StreamStats,
  type GroupStats,
  type PartitionStats,
  type StreamStatsOptions,
} from './stream-stats.js';
export { trimBehindGroups, type TrimResult } from './trim.js';
export { StreamOverBudgetError, ReplicationTimeoutError } from './errors.js';
export { ensureGroup } from './group.js';
export { backoffDelay, sleep, type BackoffOptions } from './backoff.js';
export type { BusHooks, HandleOutcome, RedisClient } from './types.js';
export { Slots } from './slots.js';
export { LingerBatch, type LingerBatchOptions } from './linger-batch.js';
