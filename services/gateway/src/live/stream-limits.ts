import { HttpError } from '../http/errors.js';

/**
 * Caps on live-update streams (GET /jobs/{id}/events) held by one gateway
 * replica. Config: SSE_MAX_PER_USER, SSE_MAX_STREAMS, SSE_MAX_LIFETIME_S.
 */
export interface StreamLimitSettings {
  /** Concurrent streams one user may hold on this replica. */
  maxPerUser: number;
  /** Concurrent streams on this replica, all users together. */
  maxStreams: number;
  /** A stream is ended (cleanly) after this long; the client reconnects. */
  maxLifetimeMs: number;
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimitSettings> = {
  maxPerUser: 20,
  maxStreams: 5_000,
  maxLifetimeMs: 3_600_000,
};

/** Seconds a refused client should wait before it tries again. */
const STREAMS_RETRY_AFTER_S = 10;

/** 429 before any stream starts: the caller, or the replica, holds too many streams. */
class TooManyStreamsError extends HttpError {
  constructor(
    readonly scope: 'user' | 'replica',
    limit: number,
  ) {
    const message =
      scope === 'user'
        ? `too many open event streams: at most ${limit} per user at once; close other streams, or poll GET /api/v1/jobs/{id} instead`
        : `this server holds its maximum of ${limit} event streams; retry in ${STREAMS_RETRY_AFTER_S} s, or poll GET /api/v1/jobs/{id} instead`;
    super(429, 'TOO_MANY_STREAMS', message, {
      headers: { 'retry-after': String(STREAMS_RETRY_AFTER_S) },
      retryable: true,
    });
  }
}

export interface StreamLimiter {
  /** Counts one stream of the user, or throws TooManyStreamsError; the returned release is idempotent. */
  acquire(userId: string): () => void;
  /** Streams open now (total, and per user when `userId` is given). */
  count(userId?: string): number;
}

export function createStreamLimiter(settings: Pick<StreamLimitSettings, 'maxPerUser' | 'maxStreams'>): StreamLimiter {
  const perUser = new Map<string, number>();
  let total = 0;
  return {
    acquire(userId) {
      const mine = perUser.get(userId) ?? 0;
      if (mine >= settings.maxPerUser) throw new TooManyStreamsError('user', settings.maxPerUser);
      if (total >= settings.maxStreams) throw new TooManyStreamsError('replica', settings.maxStreams);
      perUser.set(userId, mine + 1);
      total += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        total -= 1;
        const left = (perUser.get(userId) ?? 1) - 1;
        if (left > 0) perUser.set(userId, left);
        else perUser.delete(userId);
      };
    },
    count(userId) {
      return userId === undefined ? total : (perUser.get(userId) ?? 0);
    },
  };
}

/** The settings from the gateway's config (seconds to milliseconds). */
export function streamLimitsFromConfig(config: {
  SSE_MAX_PER_USER: number;
  SSE_MAX_STREAMS: number;
  SSE_MAX_LIFETIME_S: number;
}): StreamLimitSettings {
  return {
    maxPerUser: config.SSE_MAX_PER_USER,
    maxStreams: config.SSE_MAX_STREAMS,
    maxLifetimeMs: config.SSE_MAX_LIFETIME_S * 1000,
  };
}
