import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { JOB_ERROR_CODES, JOB_STATUSES, SERVICES } from '@pixsim/contracts';
import { principalOf } from '../auth/bearer-auth.js';
import { ownerFilter } from '../auth/visibility.js';
import { doc, idParams } from '../http/openapi.js';
import type { Clock } from '../ports.js';
import type { JobInsights } from '../store/job-timeline.js';
import type { JobStore } from '../store/ports.js';
import { visibleJob } from './jobs.js';

const count = z.number().int();
const statsResponse = z
  .strictObject({
    by_status: z.strictObject(Object.fromEntries(JOB_STATUSES.map((s) => [s, count])) as Record<string, typeof count>),
    per_minute: z
      .array(
        z.strictObject({
          minute: z.string().describe('YYYY-MM-DDTHH:MM, UTC'),
          created: count,
          completed: count,
          failed: count,
        }),
      )
      .describe('the last hour, oldest first, one row per minute'),
    failures_by_code: z
      .array(z.strictObject({ error_code: z.string(), count }))
      .describe('jobs that FAILED in the last hour, by error code, most first'),
    last_hour: z.strictObject({ created: count, completed: count, failed: count, cancelled: count }),
  })
  .describe("counts of the caller's jobs (everyone's for an admin)");

const timelineResponse = z
  .strictObject({
    job_id: z.string(),
    events: z.array(
      z.strictObject({
        event_id: z.string(),
        type: z.string().describe('JOB_CREATED, JOB_DEFERRED, JOB_SUBMITTED, JOB_COMPLETED, JOB_FAILED, ASSET_CREATED'),
        at: z.string().describe('ISO-8601 time'),
        since_previous_ms: z.number().int().nullable().describe('time spent in the hop that ended with this event'),
        service: z.enum(SERVICES),
        attempt: z.number().int().nullable(),
        provider_job_id: z.string().nullable(),
        account_id: z.string().nullable().describe('admins only; null for users'),
        error_code: z.string().nullable(),
        error_message: z.string().nullable(),
        error_explanation: z.string().nullable().describe('what the error code means'),
        detail: z.string().nullable(),
      }),
    ),
  })
  .describe("a job's events across the services, oldest first");

const explain = (code: string | null): string | null =>
  code && code in JOB_ERROR_CODES ? JOB_ERROR_CODES[code as keyof typeof JOB_ERROR_CODES].description : null;

/** The console's views: counts over time, and one job's path through the services. */
export function registerJobStatsRoutes(
  app: FastifyInstance,
  deps: { jobs: JobStore; insights: JobInsights; clock: Clock },
): void {
  app.get(
    '/jobs/stats',
    {
      schema: doc({
        tags: ['jobs'],
        summary: 'job counts now and per minute over the last hour',
        response: statsResponse,
      }),
    },
    async (request) => deps.insights.stats(ownerFilter(principalOf(request)), deps.clock()),
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/timeline',
    {
      schema: doc({
        tags: ['jobs'],
        summary: "a job's events across the services",
        params: idParams,
        response: timelineResponse,
      }),
    },
    async (request) => {
      const job = await visibleJob(deps.jobs, request.params.id, request);
      const admin = principalOf(request).role === 'admin';
      const rows = await deps.insights.timeline(job._id);
      return {
        job_id: job._id,
        events: rows.map((r, i) => ({
          event_id: r.event_id,
          type: r.type,
          at: r.at.toISOString(),
          since_previous_ms: i === 0 ? null : r.at.getTime() - rows[i - 1]!.at.getTime(),
          service: r.service,
          attempt: r.attempt ?? null,
          provider_job_id: r.provider_job_id ?? null,
          account_id: admin ? (r.account_id ?? null) : null,
          error_code: r.error_code ?? null,
          error_message: r.error_message ?? null,
          error_explanation: explain(r.error_code ?? null),
          detail: r.detail ?? null,
        })),
      };
    },
  );
}
