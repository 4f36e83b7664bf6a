import { replayDeadLetters, streamStats, type RedisClient, type StreamStats } from '@pixsim/bus';
import type { EventType, Keys } from '@pixsim/contracts';

/** The operations view of the bus, as a port so route tests can use the real one or a fake. */
export interface BusAdmin {
  stats(): Promise<StreamStats[]>;
  replay(type: EventType, opts: { ids?: readonly string[]; count?: number }): Promise<{ replayed: number }>;
}

export function createBusAdmin(redis: RedisClient, keys: Keys): BusAdmin {
  return {
    stats: () => streamStats(redis, keys),
    replay: (type, opts) => replayDeadLetters(redis, keys, type, opts),
  };
}
