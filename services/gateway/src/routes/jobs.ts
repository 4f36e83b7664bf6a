import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { idSchema, jobStatusSchema, operationTypeSchema } from '@pixsim/contracts';
import { principalOf } from '../auth/bearer-auth.js';
import { canSee, ownerFilter } from '../auth/visibility.js';
import { NotFoundError } from '../http/errors.js';
import { decodeCursor, pageQueryShape, toPage } from '../http/pagination.js';
import { parseInput } from '../http/validate.js';
import { createJobBodySchema } from '../jobs/job-request.js';
import type { SubmitJob } from '../jobs/submit-job.js';
import { jobDto } from '../read-model/dto.js';
import type { JobStore } from '../read-model/ports.js';

const listQuerySchema = z.object({
  status: jobStatusSchema.optional(),
  operation_type: operationTypeSchema.optional(),
  provider_id: z.string().min(1).max(64).optional(),
  ...pageQueryShape,
});

export function registerJobRoutes(app: FastifyInstance, deps: { jobs: JobStore; submitJob: SubmitJob }): void {
  app.post('/jobs', async (request, reply) => {
    const body = parseInput(createJobBodySchema, request.body);
    const job = await deps.submitJob(principalOf(request), body);
    return reply.code(202).send(jobDto(job));
  });

  app.get('/jobs', async (request) => {
    const q = parseInput(listQuerySchema, request.query);
    const rows = await deps.jobs.list({
      userId: ownerFilter(principalOf(request)), status: q.status, operationType: q.operation_type,
      providerId: q.provider_id, limit: q.limit, after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    });
    return toPage(rows, q.limit, jobDto);
  });

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request) => {
    const { id } = request.params;
    const job = idSchema.safeParse(id).success ? await deps.jobs.get(id) : null;
    if (!job || !canSee(principalOf(request), job.user_id)) throw new NotFoundError('job', id);
    return jobDto(job);
  });
}
