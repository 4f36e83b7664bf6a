import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError, NotFoundError, UnauthorizedError, ValidationFailedError } from '../http/errors.js';
import { doc } from '../http/openapi.js';
import type { Clock } from '../ports.js';
import type { NonceStore, PokeGeneration } from '../webhooks/webhook-ports.js';
import { webhookSignatureProblem } from '../webhooks/webhook-signature.js';

export interface WebhookRouteDeps {
  /** Unset: the route answers 404, as if it did not exist. */
  secret: string | undefined;
  nonces: NonceStore;
  poke: PokeGeneration;
  clock: Clock;
}

const payloadSchema = z.looseObject({
  video_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,32}$/)]),
  status: z.number().int().optional(),
});

const WEBHOOK_BODY_LIMIT = 64 * 1024;

/**
 * POST /webhooks/pixverse (no bearer token: the signature is the credential).
 * Its own scope keeps the raw body, which the signature covers byte for byte.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/webhooks/pixverse',
      {
        schema: doc({ tags: ['webhooks'], summary: 'PixVerse generation webhook (signed)', public: true }),
      },
      async (request, reply) => {
        if (!deps.secret) throw new NotFoundError('route', 'POST /api/v1/webhooks/pixverse');
        const header = (name: string): string => {
          const v = request.headers[name];
          return typeof v === 'string' ? v : '';
        };
        const raw = typeof request.body === 'string' ? request.body : '';
        const problem = webhookSignatureProblem(
          deps.secret,
          {
            timestamp: header('webhook-timestamp'),
            nonce: header('webhook-nonce'),
            signature: header('webhook-signature'),
          },
          raw,
          deps.clock().getTime(),
        );
        if (problem) throw new UnauthorizedError(`webhook rejected: ${problem}`);
        if (!(await deps.nonces.claim(header('webhook-nonce'))))
          throw new HttpError(409, 'WEBHOOK_REPLAY', 'this webhook-nonce was already used');
        const payload = payloadSchema.safeParse(safeJson(raw));
        if (!payload.success)
          throw new ValidationFailedError([{ field: '(body)', message: 'expected a JSON object with video_id' }]);
        await deps.poke({
          providerId: 'pixverse',
          providerJobId: String(payload.data.video_id),
          status: payload.data.status ?? null,
          nonce: header('webhook-nonce'),
        });
        return reply.code(200).type('text/plain; charset=utf-8').send('ok');
      },
    );
  });
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
