import { JSONCodec, type NatsConnection } from 'nats';
import type { Keys } from '@pixsim/contracts';
import type { JobDto } from '../read-model/dto.js';

/** One job's view after a read-model write; `version` orders views that cross on the way. */
export interface JobUpdate {
  version: number;
  job: JobDto;
}

/**
 * Fan-out of job views to every gateway replica (NATS carries what
 * must reach every replica). Best effort: a lost message is repaired by the
 * stream's periodic re-read, so publishing never fails a handler.
 */
export interface JobUpdates {
  publish(jobId: string, update: JobUpdate): void;
  /** Calls `listener` for each update of that job until the returned function is called. */
  subscribe(jobId: string, listener: (update: JobUpdate) => void): () => void;
}

const jobSubject = (keys: Keys, jobId: string): string => `${keys.prefix}.jobs.${jobId}`;

export function natsJobUpdates(nc: NatsConnection, keys: Keys, onError: (err: unknown) => void): JobUpdates {
  const codec = JSONCodec<JobUpdate>();
  return {
    publish(jobId, update) {
      try {
        nc.publish(jobSubject(keys, jobId), codec.encode(update));
      } catch (err) {
        onError(err); // closed or draining connection: the SSE re-read covers it
      }
    },
    subscribe(jobId, listener) {
      const sub = nc.subscribe(jobSubject(keys, jobId), {
        callback: (err, msg) => {
          if (err) return onError(err);
          try {
            listener(codec.decode(msg.data));
          } catch (e) {
            onError(e);
          }
        },
      });
      return () => sub.unsubscribe();
    },
  };
}
