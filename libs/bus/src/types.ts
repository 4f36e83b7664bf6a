import type { Cluster, Redis } from 'ioredis';

/** One Redis, or a Redis Cluster: the bus sends no command, script or MULTI that spans two slots. */
export type RedisClient = Redis | Cluster;

/** One raw entry as XREADGROUP / XAUTOCLAIM return it; fields are null for a trimmed entry. */
export type RawEntry = [id: string, fields: string[] | null];

export type HandleOutcome = 'ok' | 'retry' | 'dead_letter' | 'abandoned';

/** Hooks for metrics; the bus itself has no metrics dependency. */
export interface BusHooks {
  onHandled?(info: {
    type: string;
    group: string;
    outcome: HandleOutcome;
    durationMs: number;
    errorCode?: string;
  }): void;
  onDeadLetter?(info: { type: string; group: string; reason: string; code: string }): void;
}
