import type { Account } from './accounts.js';
import type { SimCore } from './core.js';
import { parseDirectives } from './directives.js';
import { ERR, fail, ok, type Envelope } from './error-codes.js';
import { MAX_SEED, validateGenerate } from './params.js';
import { priceOf } from './pricing.js';

/**
 * A generate call after authentication, in the provider's order: parameters, image,
 * prompt directives (moderation at submit), balance, concurrency; then charge and create.
 */
export function submitGeneration(
  core: SimCore,
  account: Account,
  kind: 'text' | 'img',
  body: unknown,
  traceId: string,
): Envelope {
  const v = validateGenerate(kind, body);
  if (!v.ok) return fail(v.refusal.code, v.refusal.detail);
  const params = v.params;
  if (kind === 'img' && !core.images.has(params.img_id!)) return fail(ERR.INVALID_IMAGE_ID, String(params.img_id));
  const directives = parseDirectives(params.prompt);
  if (directives.errorCode !== undefined) return fail(directives.errorCode, 'injected by [sim:error]');
  if (directives.reject) return fail(ERR.MODERATION);
  const cost = priceOf(params);
  if (account.credits < cost) return fail(ERR.INSUFFICIENT_BALANCE);
  if (account.inFlight >= account.maxConcurrent) return fail(ERR.TOO_MANY_CONCURRENT);

  account.credits -= cost;
  // Reusing an Ai-trace-id is a known cause of generations stuck "generating" for good.
  const stuck = core.stats.traceIdReused(traceId);
  const gen = core.generations.create({
    account,
    params,
    seed: params.seed ?? Math.floor(core.seedRng() * (MAX_SEED + 1)),
    cost,
    outcome: directives.outcome,
    now: core.now(),
    latencyMs: stuck ? Infinity : (directives.delayMs ?? core.config.latencyMs),
    slotReleaseMs: core.config.slotReleaseMs,
  });
  core.stats.accepted(account.keyId, params);
  core.settle();
  return ok({ video_id: gen.id });
}
