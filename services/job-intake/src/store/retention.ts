import type { JobEvent, JobFacts } from '@pixsim/contracts';

/** When the fact an event reports happened: its own time field, the same on every delivery. */
export function eventTime(event: JobEvent): string {
  switch (event.type) {
    case 'JOB_REQUESTED':
      return event.data.requested_at;
    case 'JOB_CREATED':
      return event.data.created_at;
    case 'JOB_DEFERRED':
      return event.data.deferred_at;
    case 'JOB_SUBMITTED':
      return event.data.submitted_at;
    case 'JOB_COMPLETED':
      return event.data.completed_at;
    case 'JOB_FAILED':
      return event.data.failed_at;
    case 'ASSET_CREATED':
      return event.data.created_at;
  }
}

/**
 * When a record expires (TTL index on `purge_at`): null while the job runs; once it ended,
 * the retention after the latest of its end and every event folded since (an asset is
 * recorded after the end). So no event the record holds is younger than the retention when
 * the record goes, which is what lets a replayed event older than the retention with no
 * record be told from a new job's. Computed from event times only: every replica and
 * every redelivery gets the same date.
 */
export function purgeAt(
  previous: Date | null | undefined,
  facts: JobFacts,
  event: JobEvent,
  retentionMs: number,
): Date | null {
  if (!facts.terminal) return null;
  const times = [Date.parse(facts.terminal.at), Date.parse(eventTime(event)) || 0];
  if (previous) times.push(previous.getTime() - retentionMs);
  return new Date(Math.max(...times) + retentionMs);
}
