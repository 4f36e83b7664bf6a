/**
 * Tells an event replayed after the record it needs expired (a TTL index) from a live one.
 * A store whose records go the retention after the newest event they hold keeps, for every
 * event younger than the retention, the record if there ever was one. So only an event older
 * than the retention can find nothing for a reason other than "new", and only then is the
 * store asked: acting on such an event would bring a forgotten job back (submit it again,
 * start a half record, make a second asset), so the caller drops it. The services' own
 * checks say which event and record each guards.
 */
export function createPurgedReplayGuard<E>(opts: {
  /** When the event's fact happened: its own time field, the same on every delivery. */
  eventTime(event: E): string;
  /** Whether the record the event needs is still stored. */
  recordExists(event: E): Promise<boolean>;
  retentionMs: number;
  clock: () => Date;
  /** The event is dropped: log it and count it. */
  onDropped(event: E, ageMs: number): void;
}): (event: E) => Promise<boolean> {
  return async function isPurgedReplay(event) {
    const ageMs = opts.clock().getTime() - Date.parse(opts.eventTime(event));
    if (!(ageMs > opts.retentionMs)) return false;
    if (await opts.recordExists(event)) return false;
    opts.onDropped(event, ageMs);
    return true;
  };
}
