import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CALLBACK_STATES, type CallbackDoc, type CallbackStore } from '../store/callback-store.js';
import { ConflictError, NotFoundError } from '../http/errors.js';
import { doc, idParams } from '../http/openapi.js';
import { listPage, pageQueryShape } from '../http/pagination.js';
import { callbackResendResponse, callbackResponse, pageOf } from '../http/response-schemas.js';
import { parseInput } from '../http/validate.js';
import type { JobStore } from '../store/ports.js';
import { visibleJob } from './jobs.js';

type WithId = { Params: { id: string } };
const TAGS = ['jobs'];

/** The callback of a job, as its owner sees it: where it goes, and how delivery went. */
function callbackDto(d: CallbackDoc) {
  return {
    job_id: d._id,
    user_id: d.user_id ?? null,
    url: d.url,
    event: d.event,
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.state === 'pending' ? d.next_at.toISOString() : null,
    last_status: d.last_status,
    last_error: d.last_error,
    created_at: d.created_at.toISOString(),
  };
}

/**
 * A job's callback, for the client debugging its receiver: GET shows the delivery,
 * POST …/resend sends a delivered or given-up one again (202), 409 while one is under way.
 */
export function registerCallbackRoutes(
  app: FastifyInstance,
  deps: { jobs: JobStore; callbacks?: Pick<CallbackStore, 'get' | 'resend'>; clock: () => Date },
): void {
  const find = async (request: FastifyRequest<WithId>) => {
    const job = await visibleJob(deps.jobs, request.params.id, request);
    if (!deps.callbacks || !job.callback_url) throw new NotFoundError('callback of job', job._id);
    return job;
  };

  app.get<WithId>(
    '/jobs/:id/callback',
    {
      schema: doc({
        tags: TAGS,
        summary: "the job's callback: where, and how delivery went (404 before the job ends, or without one)",
        params: idParams,
        response: callbackResponse,
      }),
    },
    async (request) => {
      const job = await find(request);
      const cb = await deps.callbacks!.get(job._id);
      if (!cb)
        throw new NotFoundError('callback of job', `${job._id} (not scheduled yet: it is sent when the job ends)`);
      return callbackDto(cb);
    },
  );

  app.post<WithId>(
    '/jobs/:id/callback/resend',
    {
      schema: doc({
        tags: TAGS,
        summary: 'send the callback again, with a fresh set of attempts (409 while one is under way)',
        params: idParams,
        ok: 202,
        response: callbackResponse,
      }),
    },
    async (request, reply) => {
      const job = await find(request);
      const { doc: cb, resent } = await deps.callbacks!.resend(job._id, deps.clock());
      if (!cb)
        throw new NotFoundError('callback of job', `${job._id} (not scheduled yet: it is sent when the job ends)`);
      if (!resent)
        throw new ConflictError(
          'CALLBACK_PENDING',
          `the callback of job ${job._id} is being delivered (attempt ${cb.attempts + 1} next)`,
        );
      return reply.code(202).send(callbackDto(cb));
    },
  );
}

const listQuerySchema = z.object({ state: z.enum(CALLBACK_STATES).optional(), ...pageQueryShape });
const resendBodySchema = z
  .strictObject({
    ids: z.array(z.string().min(1).max(128)).min(1).max(1000).optional(),
    count: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((b) => !(b.ids && b.count), { message: 'give ids or count, not both' })
  .default({});

/**
 * The operators' view of every client's callbacks: which receivers give up (the
 * PixsimCallbacksFailing alert), and a way to send the given-up ones again once a
 * receiver is back. Admin only; the caller scopes the role check.
 */
export function registerCallbackAdminRoutes(
  app: FastifyInstance,
  deps: { callbacks?: Pick<CallbackStore, 'list' | 'resendFailed'>; clock: () => Date },
): void {
  const store = () => {
    if (!deps.callbacks) throw new NotFoundError('callbacks', '(they are off: set CALLBACK_SECRET to turn them on)');
    return deps.callbacks;
  };

  app.get(
    '/admin/callbacks',
    {
      schema: doc({
        tags: ['admin'],
        summary: "every client's callbacks, newest first, all or of one state (admin)",
        querystring: listQuerySchema,
        response: pageOf(callbackResponse),
      }),
    },
    async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const callbacks = store();
      return listPage(q, (range) => callbacks.list({ state: q.state, ...range }), callbackDto);
    },
  );

  app.post(
    '/admin/callbacks/resend',
    {
      schema: doc({
        tags: ['admin'],
        summary:
          'send given-up callbacks again with fresh attempts: those of ids, or the oldest up to count (1000) (admin)',
        body: resendBodySchema,
        ok: 202,
        response: callbackResendResponse,
      }),
    },
    async (request, reply) => {
      const body = parseInput(resendBodySchema, request.body ?? undefined);
      const resent = await store().resendFailed(
        { ids: body.ids, count: body.count ?? body.ids?.length ?? 1000 },
        deps.clock(),
      );
      return reply.code(202).send({ resent });
    },
  );
}
