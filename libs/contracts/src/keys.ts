import type { EventType } from './event-types.js';
import { keySlot, partitionSlotRange } from './partition.js';

/**
 * The one owner of every Redis key name (as BullMQ's queue-keys). Nothing else
 * concatenates key strings: a renamed key is a change to this file only.
 *
 * Cluster-safe layout: a stream's dead letters and publish marks carry the
 * stream's name as their hash tag (`{<stream>}:dlq`), and a stream name has no
 * braces, so the stream hashes whole: all three share one slot, and the
 * publish-once script and the dead-letter and replay MULTIs never span two.
 * With `partitions` > 1 each event type is that many streams, each in the
 * slot range its partition aims at (see partitionSlotRange).
 */
export const DEFAULT_PREFIX = 'pixsim';
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const MAX_PARTITIONS = 64;

export interface KeysOptions {
  /** Streams per event type (STREAM_PARTITIONS); 1 by default. */
  partitions?: number;
}

export interface Keys {
  readonly prefix: string;
  /** Streams per event type. */
  readonly partitions: number;
  /** One partition's stream (the only one when partitions = 1). */
  stream(type: EventType, partition?: number): string;
  /** Every partition's stream of the type, partition 0 first. */
  streams(type: EventType): string[];
  deadLetter(type: EventType, partition?: number): string;
  /** Marks an event id as published, so a replayed producer does not add it twice. */
  published(type: EventType, eventId: string, partition?: number): string;
  /** Namespace for a service's own small keys (rate limits, leases, locks). */
  service(service: string, ...parts: string[]): string;
}

export function createKeys(prefix: string = DEFAULT_PREFIX, opts: KeysOptions = {}): Keys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(`stream prefix ${JSON.stringify(prefix)} must match ${PREFIX_PATTERN}`);
  }
  const partitions = opts.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new RangeError(`partitions must be an integer from 1 to ${MAX_PARTITIONS}, got ${partitions}`);
  }
  const names = new Map<string, string>();
  const stream = (type: EventType, partition = 0): string => {
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
      throw new RangeError(`partition ${partition} of ${type} is not in 0…${partitions - 1}`);
    }
    const memo = `${type}/${partition}`;
    let name = names.get(memo);
    if (name === undefined) {
      name = partitions === 1 ? `${prefix}:${type}` : partitionStreamName(prefix, type, partition, partitions);
      names.set(memo, name);
    }
    return name;
  };
  return {
    prefix,
    partitions,
    stream,
    streams: (type) => Array.from({ length: partitions }, (_, p) => stream(type, p)),
    deadLetter: (type, partition) => `{${stream(type, partition)}}:dlq`,
    published: (type, eventId, partition) => `{${stream(type, partition)}}:published:${eventId}`,
    service: (service, ...parts) => [prefix, 'svc', service, ...parts].join(':'),
  };
}

/**
 * `<prefix>:<TYPE>:p<partition>`, or with the first suffix `.<n>` that puts it
 * in its partition's slot range: deterministic, so every process derives the
 * same names from the same prefix and partition count.
 */
function partitionStreamName(prefix: string, type: EventType, partition: number, partitions: number): string {
  const base = `${prefix}:${type}:p${partition}`;
  const [lo, hi] = partitionSlotRange(partition, partitions);
  const fits = (name: string) => {
    const slot = keySlot(name);
    return slot >= lo && slot <= hi;
  };
  if (fits(base)) return base;
  for (let n = 1; ; n++) if (fits(`${base}.${n}`)) return `${base}.${n}`;
}
