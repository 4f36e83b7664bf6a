import { z } from 'zod';
import { JOB_ERROR_CODE_LIST } from '../error-codes.js';
import { EVENT_TYPES } from '../event-types.js';
import { ACCOUNT_STATUSES } from '../events/account-events.js';
import { assetCreatedSchema } from '../events/job-events.js';
import { jobStatusSchema, operationTypeSchema } from '../job.js';

/**
 * What the gateway answers, as clients read it: the gateway serves these (and its OpenAPI
 * document describes them), the CLI and the tests type their reads with the inferred types.
 * Strict, so the gateway's conformance test fails when an answer gains or loses a field.
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
export type JobResponse = z.infer<typeof jobResponse>;

export const assetResponse = z
  .strictObject({
    id: z.string(),
    ...assetCreatedSchema.omit({ asset_id: true, created_at: true }).shape,
    created_at: time,
  })
  .describe('an asset');
export type AssetResponse = z.infer<typeof assetResponse>;

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
export type AccountResponse = z.infer<typeof accountResponse>;

/** A page of a list: `next_cursor` null on the last. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    items: z.array(item),
    next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page'),
  });
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Every 4xx and 5xx: a stable code, a message, and for bad input the fields at fault. */
export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional().describe('for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }]'),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponse>;

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
export type DeadLetterPage = z.infer<typeof deadLetterPageResponse>;
export type DeadLetterItem = DeadLetterPage['items'][number];

export const CALLBACK_EVENTS = ['job.completed', 'job.failed', 'job.cancelled'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];
export const CALLBACK_STATES = ['pending', 'delivered', 'failed'] as const;
export type CallbackState = (typeof CALLBACK_STATES)[number];

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
export type CallbackResponse = z.infer<typeof callbackResponse>;

/** The body POSTed to a job's callback_url: which final event, the job's view then, and its asset (completed jobs). */
export const callbackBody = z.strictObject({
  event: z.enum(CALLBACK_EVENTS),
  delivery_id: z.string().describe('the job id: one callback per job, redelivered with the same id'),
  job: jobResponse,
  asset: assetResponse.nullable(),
});
export type CallbackBody = z.infer<typeof callbackBody>;
