import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CallbackDoc, CallbackStore } from '../callbacks/callback-store.js';
import { ConflictError, NotFoundError } from '../http/errors.js';
import { doc, idParams } from '../http/openapi.js';
import { callbackResponse } from '../http/response-schemas.js';
import type { JobStore } from '../read-model/ports.js';
import { visibleJob } from './jobs.js';

type WithId = { Params: { id: string } };
const TAGS = ['jobs'];

/** The callback of a job, as its owner sees it: where it goes, and how delivery went. */
function callbackDto(d: CallbackDoc) {
  return {
    job_id: d._id, url: d.url, event: d.event, state: d.state, attempts: d.attempts,
    next_attempt_at: d.state === 'pending' ? d.next_at.toISOString() : null,
    last_status: d.last_status, last_error: d.last_error, created_at: d.created_at.toISOString(),
  };
}

/**
 * A job's callback, for the client debugging its receiver: GET shows the delivery,
 * POST …/resend sends a delivered or given-up one again (202), 409 while one is under way.
 */
export function registerCallbackRoutes(app: FastifyInstance, deps: { jobs: JobStore; callbacks?: Pick<CallbackStore, 'get' | 'resend'>; clock: () => Date }): void {
  const find = async (request: FastifyRequest<WithId>) => {
    const job = await visibleJob(deps.jobs, request.params.id, request);
    if (!deps.callbacks || !job.callback_url) throw new NotFoundError('callback of job', job._id);
    return job;
  };

  app.get<WithId>('/jobs/:id/callback', {
    schema: doc({ tags: TAGS, summary: "the job's callback: where, and how delivery went (404 before the job ends, or without one)", params: idParams, response: callbackResponse }),
  }, async (request) => {
    const job = await find(request);
    const cb = await deps.callbacks!.get(job._id);
    if (!cb) throw new NotFoundError('callback of job', `${job._id} (not scheduled yet: it is sent when the job ends)`);
    return callbackDto(cb);
  });

  app.post<WithId>('/jobs/:id/callback/resend', {
    schema: doc({ tags: TAGS, summary: 'send the callback again, with a fresh set of attempts (409 while one is under way)', params: idParams, ok: 202, response: callbackResponse }),
  }, async (request, reply) => {
    const job = await find(request);
    const { doc: cb, resent } = await deps.callbacks!.resend(job._id, deps.clock());
    if (!cb) throw new NotFoundError('callback of job', `${job._id} (not scheduled yet: it is sent when the job ends)`);
    if (!resent) throw new ConflictError('CALLBACK_PENDING', `the callback of job ${job._id} is being delivered (attempt ${cb.attempts + 1} next)`);
    return reply.code(202).send(callbackDto(cb));
  });
}
