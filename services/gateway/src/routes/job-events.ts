import type { FastifyInstance } from 'fastify';
import { doc, idParams } from '../http/openapi.js';
import { runJobStream, sseHeaders } from '../live/job-stream.js';
import type { JobUpdates } from '../live/job-updates.js';
import { jobDto } from '../read-model/dto.js';
import type { JobStore } from '../read-model/ports.js';
import { visibleJob } from './jobs.js';

export interface JobEventRouteDeps {
  jobs: JobStore;
  updates: JobUpdates;
  heartbeatMs: number;
  assetGraceMs?: number;
}

/**
 * GET /jobs/{id}/events: server-sent events of the job's views (`event: job`,
 * `id:` its version), the current one first, ending after the terminal one.
 * Open streams are ended when the server closes, so shutdown does not wait on them.
 */
export function registerJobEventRoutes(app: FastifyInstance, deps: JobEventRouteDeps): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get<{ Params: { id: string } }>('/jobs/:id/events', {
    exposeHeadRoute: false, // a HEAD would hold the connection as the stream does
    schema: doc({ tags: ['jobs'], summary: 'live status changes (text/event-stream)', params: idParams }),
  }, async (request, reply) => {
    const job = await visibleJob(deps.jobs, request.params.id, request); // 404 before the stream starts
    reply.hijack();
    reply.raw.writeHead(200, sseHeaders(request.id));
    const end = runJobStream({
      jobId: job._id, res: reply.raw, updates: deps.updates, heartbeatMs: deps.heartbeatMs, assetGraceMs: deps.assetGraceMs,
      load: async () => {
        const current = await deps.jobs.get(job._id);
        return current ? { version: current.version, job: jobDto(current) } : null;
      },
      onError: (err) => request.log.warn({ err, jobId: job._id }, 'job stream: refresh failed'),
    });
    open.add(end);
    reply.raw.on('close', () => open.delete(end));
  });
}
