import type { EventType } from './event-types.js';

/**
 * The one owner of every Redis key name (as BullMQ's queue-keys). Nothing else
 * concatenates key strings: a renamed key is a change to this file only.
 */
export const DEFAULT_PREFIX = 'pixsim';
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]+$/;

export interface Keys {
  readonly prefix: string;
  stream(type: EventType): string;
  deadLetter(type: EventType): string;
  /** Marks an event id as published, so a replayed producer does not add it twice. */
  published(type: EventType, eventId: string): string;
  /** Namespace for a service's own small keys (rate limits, leases, locks). */
  service(service: string, ...parts: string[]): string;
}

export function createKeys(prefix: string = DEFAULT_PREFIX): Keys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(`stream prefix ${JSON.stringify(prefix)} must match ${PREFIX_PATTERN}`);
  }
  return {
    prefix,
    stream: (type) => `${prefix}:${type}`,
    deadLetter: (type) => `${prefix}:${type}:dlq`,
    published: (type, eventId) => `${prefix}:${type}:published:${eventId}`,
    service: (service, ...parts) => [prefix, 'svc', service, ...parts].join(':'),
  };
}
