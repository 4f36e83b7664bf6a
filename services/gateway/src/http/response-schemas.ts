import { z } from 'zod';
import { EVENT_TYPES } from '@pixsim/contracts';
import { ROLES } from '../auth/principal.js';

// The shapes clients read are the contracts' (libs/contracts/src/http); the rest are the gateway's own.
export {
  accountResponse,
  assetResponse,
  callbackResponse,
  deadLetterPageResponse,
  jobResponse,
  pageOf,
} from '@pixsim/contracts';

/**
 * What each route answers, for the OpenAPI document. Strict, so the conformance test
 * (response-schemas.test.ts) fails when a DTO gains or loses a field the document does not.
 */
const time = z.string().describe('ISO-8601 time');

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

const apiKeyResponse = z.strictObject({
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

export const replayResponse = z.strictObject({ type: z.enum(EVENT_TYPES), replayed: z.number().int() });

export const callbackResendResponse = z.strictObject({
  resent: z.number().int().describe('given-up callbacks now pending again'),
});
