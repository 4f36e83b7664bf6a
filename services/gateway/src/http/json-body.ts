import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

/** 400: valid JSON that would poison prototypes; refused, and told apart from JSON that does not parse. */
class PoisonedBodyError extends HttpError {
  constructor() {
    super(400, 'MALFORMED_BODY', 'the body must not carry __proto__ or constructor.prototype keys');
  }
}

/**
 * Fastify's own JSON parser (body limit, prototype-poisoning refusal), except that an
 * empty body is no body: many clients send `Content-Type: application/json` on every
 * request, a DELETE or a body-optional POST included. A route that needs a body still
 * refuses `undefined` when it validates it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.length === 0) return done(null, undefined);
    // The default parser says "not valid JSON" for poisoned keys too; plain JSON.parse tells which it was.
    void parseJson(request, body, (err, value) => done(err && parses(body) ? new PoisonedBodyError() : err, value));
  });
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
