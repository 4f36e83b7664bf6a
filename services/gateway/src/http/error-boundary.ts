import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isTransient, toFieldIssues } from '@pixsim/contracts';
import { DependencyDownError, HttpError, ValidationFailedError } from './errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Stable codes for fastify's own client errors, so clients never see `FST_*`. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_BODY',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'BAD_URL',
};

/**
 * Fastify's router answers a malformed or overlong URL before any hook or the
 * error handler runs; this option hook gives those answers the error shape too.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = isClientStatus(err.statusCode) ? err.statusCode : 400;
  reply.header('x-request-id', request.id);
  reply.code(status).send(body(FASTIFY_CODES[err.code] ?? 'BAD_REQUEST', 'malformed or overlong URL'));
}

/**
 * The one HTTP error boundary: 4xx messages pass through, 5xx are
 * logged with the request id and answered with a generic message, so no stack,
 * query or driver message ever reaches a client.
 */
export function installErrorBoundary(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request, reply) => {
    const known = toHttpError(err);
    if (known) return send(reply, known, request, err);
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('INTERNAL', `internal error; quote request id ${request.id} when reporting it`));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}

function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof z.ZodError) return new ValidationFailedError(toFieldIssues(err));
  const fe = err as Partial<FastifyError>;
  if (typeof fe.code === 'string' && fe.code.startsWith('FST_') && isClientStatus(fe.statusCode)) {
    return new HttpError(fe.statusCode, FASTIFY_CODES[fe.code] ?? 'BAD_REQUEST', fe.message ?? 'bad request');
  }
  if (isTransient(err)) return new DependencyDownError(dependencyOf(err), { cause: err });
  return null;
}

function send(reply: FastifyReply, err: HttpError, request: FastifyRequest, original: unknown): FastifyReply {
  if (err.status >= 500) request.log.warn({ err: original, code: err.code }, err.message);
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  const details = err.details === undefined ? {} : { details: err.details };
  return reply
    .code(err.status)
    .send({ error: { code: err.code, message: err.message, ...details } } satisfies ErrorBody);
}

const isClientStatus = (status: unknown): status is number =>
  typeof status === 'number' && status >= 400 && status < 500;

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

function dependencyOf(err: unknown): string {
  const name = (err as Error | undefined)?.name ?? '';
  return name.startsWith('Mongo') ? 'mongodb' : 'a dependency';
}
