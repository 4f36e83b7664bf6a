import { eventIds, type EventData, type JobEvent, type LogPort } from '@pixsim/contracts';
import { publicHttpsProblem, type JobRequest } from '@pixsim/providers/job-request';
import type { ProviderCatalog } from '@pixsim/providers/rules';
import type { Principal } from '../auth/principal.js';
import { ConflictError, ValidationFailedError } from '../http/errors.js';
import { foldJob, type JobRecord } from '../read-model/job-record.js';
import type { JobStore } from '../store/ports.js';
import type { Clock, NewId, Publish } from '../ports.js';
import type { IdempotencyStore } from '../store/idempotency-store.js';
import { bodyHash } from './idempotency.js';
import { checkPublicHost, type ResolveHost } from './public-url.js';
import { effectiveLimits, type QuotaLimits } from '../quota/quota.js';
import type { QuotaStore } from '../quota/quota-store.js';

export interface JobSubmitterDeps {
  providers: Pick<ProviderCatalog, 'get'>;
  publish: Publish;
  jobs: JobStore;
  idempotency?: IdempotencyStore;
  resolveHost: ResolveHost;
  /** Absent: callbacks are off and a callback_url is refused. */
  callbacks?: CallbackPolicy;
  /** Per-user quotas, checked atomically before the publish; absent, none (the bootstrap admin token has none). */
  quota?: { store: Pick<QuotaStore, 'admit' | 'giveBack'>; defaults: QuotaLimits };
  clock: Clock;
  newId: NewId;
  logger: Pick<LogPort, 'warn'>;
}

interface Submitted {
  job: JobRecord;
  /** True when an Idempotency-Key named a job made earlier: the answer is 200, not 202. */
  replayed: boolean;
}

export type SubmitJob = (principal: Principal, body: JobRequest, idempotencyKey?: string) => Promise<Submitted>;

/**
 * Accepts a job that passed `validateJobRequest` (the route's check): the DNS checks
 * of its URLs, then JOB_REQUESTED, then the read model. The event goes first and
 * nothing is recorded when it fails, so there is never a PENDING record without a
 * durable event behind it. With an
 * Idempotency-Key the (user, key) record is claimed before the publish, so two
 * racing requests get one job id; a retry whose job never reached the read
 * model re-publishes the same command under the same event id.
 */
export function createJobSubmitter(deps: JobSubmitterDeps): SubmitJob {
  return async (principal, body, idempotencyKey) => {
    await checkRequest(deps, body, principal.userId);
    const jobId = deps.newId();
    let data: EventData<'JOB_REQUESTED'> = {
      job_id: jobId,
      user_id: principal.userId,
      operation_type: body.operation_type,
      provider_id: body.provider_id,
      params: body.params,
      priority: body.priority,
      name: body.name,
      description: body.description,
      workspace_id: body.workspace_id,
      scheduled_at: body.scheduled_at,
      requested_at: deps.clock().toISOString(),
      ...(body.callback_url === undefined ? {} : { callback_url: body.callback_url }),
    };
    let replayed = false;
    if (idempotencyKey !== undefined && deps.idempotency) {
      const hash = bodyHash(body);
      const claim = await deps.idempotency.claim({
        _id: jobId,
        user_id: principal.userId,
        key: idempotencyKey,
        body_hash: hash,
        job_id: jobId,
        request: data,
        created_at: deps.clock(),
      });
      if (!claim.claimed) {
        if (claim.existing.body_hash !== hash) {
          throw new ConflictError(
            'IDEMPOTENCY_CONFLICT',
            'this Idempotency-Key was used with a different request body',
          );
        }
        const known = await deps.jobs.get(claim.existing.job_id);
        if (known) return { job: known, replayed: true };
        ({ request: data } = claim.existing);
        replayed = true;
      }
    }
    const taken = await takeQuota(deps, principal, body, data.job_id);
    try {
      return { job: await publishAndRecord(deps, data), replayed };
    } catch (err) {
      // Refused after all (the publish failed): the slot and today's counts go back.
      if (taken)
        await deps
          .quota!.store.giveBack(principal.userId, data.job_id, taken.cost, taken.at)
          .catch((e: unknown) => deps.logger.warn({ err: e, job_id: data.job_id }, 'quota could not be given back'));
      throw err;
    }
  };
}

/** Admits the job against the user's quotas (429 QUOTA_EXCEEDED naming the limit); null when none apply. */
async function takeQuota(
  deps: JobSubmitterDeps,
  principal: Principal,
  body: JobRequest,
  jobId: string,
): Promise<{ cost: number; at: Date } | null> {
  if (!deps.quota || principal.credential?.kind === 'admin_token') return null;
  // Credits as the provider prices the job (its price table), so the daily limit matches the bill.
  const cost = deps.providers
    .get(body.provider_id)
    .estimateCost({ operationType: body.operation_type, params: body.params });
  const at = deps.clock();
  await deps.quota.store.admit(principal.userId, jobId, effectiveLimits(deps.quota.defaults, principal.quota), cost);
  return { cost, at };
}

async function publishAndRecord(deps: JobSubmitterDeps, data: EventData<'JOB_REQUESTED'>): Promise<JobRecord> {
  await deps.publish({ type: 'JOB_REQUESTED', id: eventIds.jobRequested(data.job_id), data, at: data.requested_at });
  const event: JobEvent = { type: 'JOB_REQUESTED', data };
  try {
    return await deps.jobs.apply(data.job_id, event);
  } catch (err) {
    deps.logger.warn(
      { err, job_id: data.job_id },
      'job accepted but its read-model write failed; JOB_CREATED will fill it in',
    );
    return foldJob(null, data.job_id, event);
  }
}

async function checkRequest(deps: JobSubmitterDeps, body: JobRequest, userId: string): Promise<void> {
  for (const field of ['image_url', 'video_url'] as const) {
    const url = body.params[field];
    if (url !== undefined) await checkPublicHost(`params.${field}`, url, deps.resolveHost, userId);
  }
  if (body.callback_url !== undefined) await checkCallbackUrl(deps, body.callback_url, userId);
}

/** Whether the gateway takes callbacks, and to where: private and plain-http hosts only when allowed (development). */
export interface CallbackPolicy {
  allowPrivate: boolean;
}

async function checkCallbackUrl(deps: JobSubmitterDeps, raw: string, userId: string): Promise<void> {
  const refuse = (message: string) => new ValidationFailedError([{ field: 'callback_url', message }]);
  if (!deps.callbacks) throw refuse('callbacks are not enabled on this gateway (its operator sets CALLBACK_SECRET)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not a URL');
  }
  if (url.username || url.password)
    throw refuse('must not carry credentials; authenticate the callback by its signature');
  if (deps.callbacks.allowPrivate) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('must be an http(s) URL');
    return;
  }
  const problem = publicHttpsProblem(raw);
  if (problem) throw refuse(problem);
  await checkPublicHost('callback_url', raw, deps.resolveHost, userId);
}
