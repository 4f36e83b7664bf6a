/**
 * Every stream of the system is one event or command type. The spine is
 * JOB_CREATED → JOB_SUBMITTED → JOB_COMPLETED | JOB_FAILED; the others exist
 * because the spine needs them (docs/architecture/delivery.md).
 */
export const EVENT_TYPES = [
  'JOB_REQUESTED',
  'JOB_CREATED',
  'JOB_DEFERRED',
  'JOB_SUBMITTED',
  'JOB_COMPLETED',
  'JOB_FAILED',
  'JOB_CANCEL_REQUESTED',
  'ASSET_CREATED',
  'ACCOUNT_COMMAND',
  'ACCOUNT_UPDATED',
  'GENERATION_POKED',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** Consumer groups are named after the consuming service. */
export const SERVICES = ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Who consumes what: the topology of docs/architecture/delivery.md as data. Each service's consumers
 * create their own group when they start; this table is what the operations view
 * (streamStats) reports even before they have, what the services' tests compare
 * their consumers against, and what the Kubernetes checks compare the autoscalers with.
 */
export const CONSUMERS: Readonly<Record<EventType, readonly ServiceName[]>> = {
  JOB_REQUESTED: ['job-intake'],
  JOB_CREATED: ['dispatcher', 'gateway'],
  JOB_DEFERRED: ['job-intake', 'gateway'],
  JOB_SUBMITTED: ['poller', 'job-intake', 'gateway'],
  JOB_COMPLETED: ['asset', 'dispatcher', 'job-intake', 'gateway'],
  JOB_FAILED: ['dispatcher', 'poller', 'job-intake', 'gateway'],
  JOB_CANCEL_REQUESTED: ['dispatcher', 'poller'],
  ASSET_CREATED: ['job-intake', 'gateway'],
  ACCOUNT_COMMAND: ['dispatcher'],
  ACCOUNT_UPDATED: ['gateway'],
  GENERATION_POKED: ['poller'],
};

export function streamsConsumedBy(service: ServiceName): EventType[] {
  return EVENT_TYPES.filter((type) => CONSUMERS[type].includes(service));
}
