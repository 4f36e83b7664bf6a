import type { FastifyInstance } from 'fastify';
import { doc, idParams } from '../http/openapi.js';
import { runJobStream, sseHeaders } from '../live/job-stream.js';
import type { JobUpdates } from '../live/job-updates.js';
import {
  createStreamLimiter,
  DEFAULT_STREAM_LIMITS,
  type StreamLimiter,
  type StreamLimitSettings,
} from '../live/stream-limits.js';
import { jobDto } from '../read-model/dto.js';
import type { JobStore } from '../store/ports.js';
import { principalOf } from '../auth/bearer-auth.js';
import { visibleJob } from './jobs.js';

export interface JobEventRouteDeps {
  jobs: JobStore;
  updates: JobUpdates;
  heartbeatMs: number;
  clock: () => Date;
  /**
   * Caps on concurrent streams and their lifetime (SSE_MAX_PER_USER, SSE_MAX_STREAMS,
   * SSE_MAX_LIFETIME_S); each one absent takes its DEFAULT_STREAM_LIMITS value.
   */
  streamLimits?: Partial<StreamLimitSettings>;
  /** Counts open streams; by default one per registration, i.e. per replica. */
  limiter?: StreamLimiter;
}

/**
 * GET /jobs/{id}/events: server-sent events of the job's views (`event: job`,
 * `id:` its version), the current one first, ending after the terminal one.
 * Open streams are ended when the server closes, so shutdown does not wait on them.
 * Concurrent streams are capped per user and per replica (429 TOO_MANY_STREAMS
 * before the stream starts), counted until the socket closes, and each stream
 * ends after a maximum lifetime.
 */
export function registerJobEventRoutes(app: FastifyInstance, deps: JobEventRouteDeps): void {
  const limits: StreamLimitSettings = { ...DEFAULT_STREAM_LIMITS, ...deps.streamLimits };
  const limiter = deps.limiter ?? createStreamLimiter(limits);
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    {
      exposeHeadRoute: false, // a HEAD would hold the connection as the stream does
      config: { stream: true }, // no request deadline: a stream lasts SSE_MAX_LIFETIME_S
      schema: doc({ tags: ['jobs'], summary: 'live status changes (text/event-stream)', params: idParams }),
    },
    async (request, reply) => {
      const job = await visibleJob(deps.jobs, request.params.id, request); // 404 before the stream starts
      const release = limiter.acquire(principalOf(request).userId); // 429 before the stream starts
      // Counted until the socket closes, whoever closes it (the stream's end, the client, shutdown).
      reply.raw.on('close', release);
      if (reply.raw.destroyed || request.raw.socket?.destroyed) {
        release(); // the client left while the job was read: 'close' may already have fired
        reply.hijack();
        return;
      }
      try {
        reply.hijack();
        reply.raw.writeHead(200, sseHeaders(request.id));
        const end = runJobStream({
          jobId: job._id,
          res: reply.raw,
          updates: deps.updates,
          heartbeatMs: deps.heartbeatMs,
          maxLifetimeMs: limits.maxLifetimeMs,
          load: async () => {
            const current = await deps.jobs.get(job._id);
            return current ? { version: current.version, job: jobDto(current, deps.clock()) } : null;
          },
          onError: (err) => request.log.warn({ err, job_id: job._id }, 'job stream: refresh failed'),
        });
        open.add(end);
        reply.raw.on('close', () => open.delete(end));
      } catch (err) {
        release();
        request.log.error({ err, job_id: job._id }, 'job stream: start failed');
        reply.raw.destroy();
      }
    },
  );
}
