import {
  listDeadLetters,
  replayDeadLetters,
  streamStats,
  type DeadLetter,
  type RedisClient,
  type StreamStats,
} from '@pixsim/bus';
import type { EventType, Keys } from '@pixsim/contracts';

/** The operations view of the bus, as a port so route tests can use the real one or a fake. */
export interface BusAdmin {
  stats(): Promise<StreamStats[]>;
  /** Oldest first, `count` of them after the dead letter `after` (exclusive). */
  deadLetters(type: EventType, opts: { count: number; after?: string }): Promise<DeadLetter[]>;
  replay(type: EventType, opts: { ids?: readonly string[]; count?: number }): Promise<{ replayed: number }>;
}

/** Every partition of every stream: stats summed (and per partition), dead letters merged by id. */
export function createBusAdmin(redis: RedisClient, keys: Keys, opts: { maxLen?: number } = {}): BusAdmin {
  return {
    stats: () => streamStats(redis, keys, undefined, { maxLen: opts.maxLen }),
    deadLetters: (type, opts) => listDeadLetters(redis, keys, type, opts),
    replay: (type, opts) => replayDeadLetters(redis, keys, type, opts),
  };
}
