import type { ServerResponse } from 'node:http';
import { isTerminal, type JobStatus } from '@pixsim/contracts';
import type { JobUpdate, JobUpdates } from './job-updates.js';

export interface JobStreamOptions {
  jobId: string;
  res: ServerResponse;
  updates: JobUpdates;
  /** The current view from the read model (null: gone). */
  load(): Promise<JobUpdate | null>;
  heartbeatMs: number;
  /** The stream ends (with a comment saying so) after this long, so nothing is held forever; absent, no limit. */
  maxLifetimeMs?: number;
  onError(err: unknown): void;
}

/**
 * One SSE stream of a job: subscribe first, then read the current view and send
 * it, then forward every newer view; end after the final one (a COMPLETED view
 * already carries its asset id). After `maxLifetimeMs` the stream ends
 * cleanly whatever the job's state (a job scheduled far ahead would hold it
 * forever); an EventSource reconnects with Last-Event-ID. Each heartbeat also re-reads the view, so a
 * NATS message lost on the way costs at most one heartbeat of delay. Returns a
 * function that ends the stream (server shutdown).
 */
export function runJobStream(opts: JobStreamOptions): () => void {
  const { res } = opts;
  let lastVersion = -1;
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(timer);
    clearTimeout(lifetimeTimer);
    unsubscribe();
    res.end();
  };
  const send = (update: JobUpdate) => {
    if (ended || update.version <= lastVersion) return;
    lastVersion = update.version;
    res.write(`id: ${update.version}\nevent: job\ndata: ${JSON.stringify(update.job)}\n\n`);
    // A COMPLETED view always carries its asset id (the read model holds it PROCESSING until then).
    if (isTerminal(update.job.status as JobStatus)) end();
  };
  const refresh = () => opts.load().then((u) => (u ? send(u) : end()), opts.onError);

  const unsubscribe = opts.updates.subscribe(opts.jobId, send);
  const timer = setInterval(() => {
    if (ended) return;
    res.write(': heartbeat\n\n');
    void refresh();
  }, opts.heartbeatMs);
  timer.unref();
  const lifetimeTimer =
    opts.maxLifetimeMs === undefined
      ? undefined
      : setTimeout(() => {
          if (ended) return;
          res.write(': stream lifetime reached; reconnect to continue\n\n');
          end();
        }, opts.maxLifetimeMs);
  lifetimeTimer?.unref();
  res.on('close', end);
  void refresh();
  return end;
}

export const sseHeaders = (requestId: string) => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no', // nginx: do not buffer the stream
  'x-request-id': requestId,
});
