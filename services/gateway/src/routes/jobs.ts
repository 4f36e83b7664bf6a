import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema, jobStatusSchema, operationTypeSchema } from '@pixsim/contracts';
import { jobRequestSchema } from '@pixsim/providers/job-request';
import { principalOf } from '../auth/bearer-auth.js';
import { canSee, ownerFilter } from '../auth/visibility.js';
import { NotFoundError, ValidationFailedError } from '../http/errors.js';
import { doc, idParams } from '../http/openapi.js';
import { jobResponse, pageOf } from '../http/response-schemas.js';
import { listPage, pageQueryShape } from '../http/pagination.js';
import { parseInput } from '../http/validate.js';
import type { CancelJob } from '../jobs/cancel-job.js';
import { idempotencyKeyOf } from '../jobs/idempotency.js';
import { parseJobRequest } from '../jobs/job-request.js';
import type { SubmitJob } from '../jobs/submit-job.js';
import { jobDto } from '../read-model/dto.js';
import type { JobRecord } from '../read-model/job-record.js';
import type { JobStore } from '../store/ports.js';

/** Larger job bodies answer 413 (the rest of the API keeps BODY_LIMIT_BYTES). */
const JOB_BODY_LIMIT_BYTES = 65_536;

const listQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  operation_type: operationTypeSchema.optional(),
  provider_id: z.string().min(1).max(64).optional(),
  user_id: z.string().min(1).max(64).optional().describe("admin only: one user's jobs"),
  q: z.string().trim().min(1).max(200).optional().describe('a job id (exact) or text of the prompt'),
  ...pageQueryShape,
});
const postHeaders = z.object({
  'idempotency-key': z.string().max(255).optional().describe('same key + same body → the same job (200)'),
});

type WithId = { Params: { id: string } };
const TAGS = ['jobs'];

export interface JobRouteDeps {
  jobs: JobStore;
  submitJob: SubmitJob;
  cancelJob: CancelJob;
  clock: () => Date;
}

export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  // A job is a prompt and a few settings: 64 KiB is generous, and a bigger body would be
  // copied into every stream entry and read model the job passes through.
  app.post(
    '/jobs',
    {
      bodyLimit: Math.min(app.initialConfig.bodyLimit ?? JOB_BODY_LIMIT_BYTES, JOB_BODY_LIMIT_BYTES),
      schema: doc({
        tags: TAGS,
        summary: 'submit a job (200 when an Idempotency-Key names a job made earlier)',
        body: jobRequestSchema,
        headers: postHeaders,
        ok: [202, 200],
        response: jobResponse,
      }),
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request.headers['idempotency-key']);
      const body = parseJobRequest(request.body);
      const { job, replayed } = await deps.submitJob(principalOf(request), body, key);
      return reply.code(replayed ? 200 : 202).send(jobDto(job, deps.clock()));
    },
  );

  app.get(
    '/jobs',
    {
      schema: doc({
        tags: TAGS,
        summary: 'list jobs, newest first',
        querystring: listQuerySchema,
        response: pageOf(jobResponse),
      }),
    },
    async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const principal = principalOf(request);
      if (q.user_id !== undefined && principal.role !== 'admin')
        throw new ValidationFailedError([{ field: 'user_id', message: 'only an admin may filter by user' }]);
      const filter = {
        userId: ownerFilter(principal) ?? q.user_id,
        text: q.q,
        status: q.status,
        operationType: q.operation_type,
        providerId: q.provider_id,
      };
      return listPage(
        q,
        (range) => deps.jobs.list({ ...filter, ...range }),
        (r) => jobDto(r, deps.clock()),
      );
    },
  );

  app.get<WithId>(
    '/jobs/:id',
    { schema: doc({ tags: TAGS, summary: 'one job', params: idParams, response: jobResponse }) },
    async (request) => jobDto(await visibleJob(deps.jobs, request.params.id, request), deps.clock()),
  );

  app.delete<WithId>(
    '/jobs/:id',
    {
      schema: doc({
        tags: TAGS,
        summary: 'cancel a job (409 when it already ended)',
        params: idParams,
        ok: 202,
        response: jobResponse,
      }),
    },
    async (request, reply) => {
      const id = validId(request.params.id);
      return reply.code(202).send(jobDto(await deps.cancelJob(principalOf(request), id), deps.clock()));
    },
  );
}

const validId = (id: string): string => {
  if (!idSchema.safeParse(id).success) throw new NotFoundError('job', '(invalid id)');
  return id;
};

/** The job when the caller may see it; 404 alike for unknown and someone else's. */
export async function visibleJob(
  jobs: JobStore,
  id: string,
  request: Parameters<typeof principalOf>[0],
): Promise<JobRecord> {
  const job = await jobs.get(validId(id));
  if (!job || !canSee(principalOf(request), job.user_id)) throw new NotFoundError('job', id);
  return job;
}
