import { z } from 'zod';
import {
  ACCOUNT_STATUSES,
  assetCreatedSchema,
  EVENT_TYPES,
  JOB_ERROR_CODE_LIST,
  jobStatusSchema,
  operationTypeSchema,
} from '@pixsim/contracts';
import { ROLES } from '../auth/principal.js';
import { CALLBACK_EVENTS, CALLBACK_STATES } from '../store/callback-store.js';

/**
 * What each route answers, for the OpenAPI document. Strict, so the conformance test
 * (response-schemas.test.ts) fails when a DTO gains or loses a field the document does not.
 */
const time = z.string().describe('ISO-8601 time');

export const jobResponse = z
  .strictObject({
    id: z.string(),
    user_id: z.string(),
    operation_type: operationTypeSchema,
    provider_id: z.string(),
    params: z.record(z.string(), z.unknown()).describe('as submitted, checked against the provider limits'),
    priority: z.number().int(),
    name: z.string().nullable(),
    description: z.string().nullable(),
    workspace_id: z.string().nullable(),
    scheduled_at: time.nullable(),
    callback_url: z.string().nullable().describe('where the final view is POSTed (README, Callbacks)'),
    status: jobStatusSchema,
    status_detail: z.string().nullable().describe('e.g. waiting_for_account, scheduled, retry_backoff, generating'),
    error_code: z.enum(JOB_ERROR_CODE_LIST).nullable(),
    error_message: z.string().nullable(),
    retry_count: z.number().int(),
    provider_job_id: z.string().nullable(),
    asset_id: z.string().nullable().describe('set a moment after COMPLETED, with ASSET_CREATED'),
    created_at: time,
    started_at: time.nullable(),
    completed_at: time.nullable(),
  })
  .describe('a job');

export const assetResponse = z
  .strictObject({
    id: z.string(),
    ...assetCreatedSchema.omit({ asset_id: true, created_at: true }).shape,
    created_at: time,
  })
  .describe('an asset');

export const accountResponse = z
  .strictObject({
    id: z.string(),
    provider_id: z.string(),
    email: z.string().nullable(),
    nickname: z.string().nullable(),
    status: z.enum(ACCOUNT_STATUSES),
    credits: z.number(),
    cooldown_until: time.nullable(),
    max_concurrent_jobs: z.number().int(),
    in_flight: z.number().int(),
    priority: z.number().int(),
    total_submitted: z.number().int(),
    total_failed: z.number().int(),
    last_used: time.nullable(),
    created_at: time.nullable(),
  })
  .describe('a provider account (never its credentials)');

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page'),
  });

export const userResponse = z.strictObject({
  id: z.string(),
  email: z.string().nullable(),
  role: z.enum(ROLES),
  created_at: time.nullable().describe('null for the admin token'),
  disabled: z.boolean(),
});

const usageEntry = z.strictObject({
  limit: z.number().int().nullable().describe('null: no limit'),
  used: z.number().int(),
  resets_at: time.nullable().describe('null: frees when a job ends'),
});
export const usageResponse = z.strictObject({
  max_active_jobs: usageEntry,
  jobs_per_day: usageEntry,
  credits_per_day: usageEntry,
});
const quotaLimits = z.strictObject({
  max_active_jobs: z.number().int().nullable(),
  jobs_per_day: z.number().int().nullable(),
  credits_per_day: z.number().int().nullable(),
});
export const adminUserResponse = z.strictObject({
  id: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  created_at: time,
  quota: quotaLimits.describe('the effective limits; null = none'),
  quota_overrides: quotaLimits.partial().describe('only the keys an admin set for this user'),
  usage: usageResponse,
});
export const newAdminUserResponse = adminUserResponse.extend({
  password: z.string().optional().describe('only when generated: shown once'),
});
export const adminUserPageResponse = z.strictObject({
  items: z.array(adminUserResponse),
  next_cursor: z.string().nullable(),
});
export const callbackSecretResponse = z.strictObject({ secret: z.string().describe('whsec_…') });
export const rotatedCallbackSecretResponse = z.strictObject({
  secret: z.string(),
  previous_valid_until: time.describe('deliveries carry both signatures until then'),
});

export const tokenResponse = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
});

export const apiKeyResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  created_at: time,
});
export const newApiKeyResponse = apiKeyResponse.extend({ key: z.string().describe('shown once') });
export const apiKeyListResponse = z.strictObject({ items: z.array(apiKeyResponse) });

export const streamsResponse = z.strictObject({
  streams: z.array(
    z.strictObject({
      type: z.enum(EVENT_TYPES),
      stream: z.string(),
      length: z.number().int(),
      dlq_length: z.number().int(),
      partitions: z.number().int().describe('stream partitions of the type (STREAM_PARTITIONS); figures are summed'),
      missing: z.boolean().describe('a partition stream does not exist: its zero lag is no idle system'),
      over_budget: z.boolean().describe('a partition holds STREAM_MAX_LEN entries: publishes are refused'),
      groups: z.array(
        z.strictObject({
          group: z.string(),
          consumers: z.number().int(),
          lag: z.number().int().nullable(),
          pending: z.number().int(),
          oldest_pending_ms: z.number().nullable(),
          missing: z.boolean().describe('the group does not exist (on some partition)'),
        }),
      ),
    }),
  ),
});

export const deadLetterPageResponse = z.strictObject({
  type: z.enum(EVENT_TYPES),
  items: z.array(
    z.strictObject({
      id: z.string().describe('the dead letter id (pass to replay as ids)'),
      event_id: z.string().nullable(),
      event_type: z.string().nullable(),
      group: z.string(),
      consumer: z.string(),
      code: z.string(),
      reason: z.string(),
      deliveries: z.number().int(),
      source_id: z.string(),
      dead_at: time.nullable(),
      fields: z.record(z.string(), z.string()).describe('the entry as it was'),
    }),
  ),
  next_cursor: z.string().nullable(),
});

export const replayResponse = z.strictObject({ type: z.enum(EVENT_TYPES), replayed: z.number().int() });

export const callbackResponse = z
  .strictObject({
    job_id: z.string(),
    user_id: z.string().nullable().describe("the job's owner"),
    url: z.string(),
    event: z.enum(CALLBACK_EVENTS),
    state: z.enum(CALLBACK_STATES),
    attempts: z.number().int(),
    next_attempt_at: time.nullable().describe('while pending'),
    last_status: z.number().int().nullable(),
    last_error: z.string().nullable(),
    created_at: time,
  })
  .describe("a job's callback and how its delivery went");

export const callbackResendResponse = z.strictObject({
  resent: z.number().int().describe('given-up callbacks now pending again'),
});
