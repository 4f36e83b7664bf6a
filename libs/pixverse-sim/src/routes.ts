import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from './accounts.js';
import type { SimCore } from './core.js';
import { ERR, fail, messageFor, ok, type Envelope } from './error-codes.js';
import { statusResp } from './generations.js';
import type { UploadSource } from './images.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { submitGeneration } from './submit.js';
import type { EndpointName } from './types.js';

const PREFIX = '/openapi/v2';
const ENDPOINT_BY_ROUTE: Record<string, EndpointName> = {
  [`${PREFIX}/video/text/generate`]: 'text_generate',
  [`${PREFIX}/video/img/generate`]: 'img_generate',
  [`${PREFIX}/image/upload`]: 'image_upload',
  [`${PREFIX}/video/result/:video_id`]: 'result',
  [`${PREFIX}/account/balance`]: 'balance',
};

type Caller = { account: Account; traceId: string };

/** `API-KEY` names the account; `Ai-trace-id` must be present (Node lower-cases header names). */
function authenticate(core: SimCore, req: FastifyRequest): Caller | Envelope {
  const key = req.headers['api-key'];
  const account = typeof key === 'string' ? core.accounts.get(key) : undefined;
  if (!account) return fail(ERR.INVALID_ACCOUNT);
  const traceId = req.headers['ai-trace-id'];
  if (typeof traceId !== 'string' || traceId.trim() === '') return fail(ERR.EMPTY_PARAM, 'Ai-trace-id');
  return { account, traceId };
}

const isEnvelope = (x: Caller | Envelope): x is Envelope => 'ErrCode' in x;

function uploadSource(req: FastifyRequest): UploadSource {
  const body = req.body;
  if (Buffer.isBuffer(body)) {
    const boundary = boundaryOf(req.headers['content-type']);
    const parts = boundary ? parseMultipart(body, boundary) : [];
    const file = parts.find((p) => p.name === 'image' && p.filename !== undefined);
    const url = parts.find((p) => p.name === 'image_url' && p.filename === undefined);
    if (file) return { file };
    return url ? { imageUrl: url.data.toString('utf8').trim() } : {};
  }
  if (typeof body === 'object' && body !== null && typeof (body as { image_url?: unknown }).image_url === 'string') {
    return { imageUrl: (body as { image_url: string }).image_url };
  }
  return {};
}

/** The PixVerse platform API, with faults injected ahead of the business logic. */
export async function pixverseRoutes(app: FastifyInstance, core: SimCore): Promise<void> {
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: 25 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.addHook('onRequest', async (req, reply) => {
    const endpoint = ENDPOINT_BY_ROUTE[req.routeOptions.url ?? ''];
    if (!endpoint) return;
    core.stats.call(endpoint);
    core.settle();
    if (await core.faults.apply(req, reply, endpoint)) return reply;
  });

  const authed =
    (handler: (caller: Caller, req: FastifyRequest, reply: FastifyReply) => Envelope | FastifyReply) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const caller = authenticate(core, req);
      return isEnvelope(caller) ? caller : handler(caller, req, reply);
    };

  app.post(
    `${PREFIX}/video/text/generate`,
    authed((c, req) => submitGeneration(core, c.account, 'text', req.body, c.traceId)),
  );
  app.post(
    `${PREFIX}/video/img/generate`,
    authed((c, req) => submitGeneration(core, c.account, 'img', req.body, c.traceId)),
  );

  app.post(
    `${PREFIX}/image/upload`,
    authed((_c, req, reply) => {
      const outcome = core.images.upload(uploadSource(req));
      if (outcome.ok) return ok({ img_id: outcome.imgId, img_url: outcome.imgUrl });
      if ('refusal' in outcome) return fail(outcome.refusal.code, outcome.refusal.detail);
      // The one call that answers a business refusal with HTTP 500 and lower-case keys.
      return reply
        .code(500)
        .send({ err_code: ERR.UPLOAD_MODERATION, err_msg: messageFor(ERR.UPLOAD_MODERATION), resp: {} });
    }),
  );

  app.get(
    `${PREFIX}/video/result/:video_id`,
    authed((c, req) => {
      const raw = (req.params as { video_id: string }).video_id;
      if (!/^\d+$/.test(raw)) return fail(ERR.BAD_TYPE, 'video_id must be an integer');
      const gen = core.generations.get(Number(raw));
      if (!gen || gen.apiKey !== c.account.apiKey) return fail(ERR.INVALID_PARAM, `video_id ${raw} not found`);
      return ok(statusResp(gen, core.generations.statusOf(gen, core.now())));
    }),
  );

  app.get(
    `${PREFIX}/account/balance`,
    authed((c) => ok({ account_id: c.account.accountId, credit_monthly: 0, credit_package: c.account.credits })),
  );
}
