import { z } from 'zod';
import { sealedSecretSchema } from './sealed-secret.js';
import { idSchema, isoDateSchema, jobErrorCodeSchema, jobParamsSchema, operationTypeSchema } from '../job.js';

const jobRef = { job_id: idSchema };

/** What a user asked for; both the request and the created job carry it. */
const jobRequestShape = {
  ...jobRef,
  user_id: idSchema,
  operation_type: operationTypeSchema,
  provider_id: z.string().min(1).max(64),
  params: jobParamsSchema,
  priority: z.number().int().min(0).max(10),
  name: z.string().max(256).nullable(),
  description: z.string().max(4096).nullable(),
  workspace_id: z.string().max(128).nullable(),
  scheduled_at: isoDateSchema.nullable(),
  /** Where the gateway POSTs the job's final view (optional; checked by the gateway). */
  callback_url: z.string().url().max(2048).optional(),
};

/** Command from the edge: a user asked for a video. The gateway mints the job id. */
export const jobRequestedSchema = z.object({ ...jobRequestShape, requested_at: isoDateSchema });

/** The job exists in the system of record and may be dispatched. */
export const jobCreatedSchema = z.object({ ...jobRequestShape, created_at: isoDateSchema });

export const DEFER_REASONS = ['waiting_for_account', 'scheduled', 'retry_backoff'] as const;

/** A PENDING job waits, and says why; it has not failed. */
export const jobDeferredSchema = z.object({
  ...jobRef,
  reason: z.enum(DEFER_REASONS),
  attempt: z.number().int().min(0),
  until: isoDateSchema.nullable(),
  deferred_at: isoDateSchema,
});

/** The provider accepted the generation. */
export const jobSubmittedSchema = z.object({
  ...jobRef,
  user_id: idSchema,
  attempt: z.number().int().min(1),
  provider_id: z.string().min(1).max(64),
  provider_job_id: z.string().min(1).max(128),
  account_id: idSchema,
  /** The account's key, sealed: the poller needs it to ask for the status. */
  credential: sealedSecretSchema,
  cost: z.number().int().min(0),
  /** Requested video length, for the asset record. */
  duration_sec: z.number().min(0).nullable(),
  submitted_at: isoDateSchema,
});

export const videoResultSchema = z.object({
  url: z.string().url(),
  width: z.number().int().min(0).nullable(),
  height: z.number().int().min(0).nullable(),
  duration_sec: z.number().min(0).nullable(),
  file_size_bytes: z.number().int().min(0).nullable(),
});

export const jobCompletedSchema = z.object({
  ...jobRef,
  user_id: idSchema,
  provider_id: z.string().min(1).max(64),
  provider_job_id: z.string().min(1).max(128),
  account_id: idSchema,
  result: videoResultSchema,
  completed_at: isoDateSchema,
});

export const FAILURE_STAGES = ['intake', 'dispatch', 'poll', 'cancel'] as const;

/** Any stage may fail a job; CANCELLED_BY_USER makes it CANCELLED rather than FAILED. */
export const jobFailedSchema = z.object({
  ...jobRef,
  stage: z.enum(FAILURE_STAGES),
  error_code: jobErrorCodeSchema,
  error_message: z.string().max(2048),
  retry_count: z.number().int().min(0),
  account_id: idSchema.nullable(),
  provider_job_id: z.string().max(128).nullable(),
  failed_at: isoDateSchema,
});

export const jobCancelRequestedSchema = z.object({
  ...jobRef,
  user_id: idSchema,
  requested_at: isoDateSchema,
});

export const assetCreatedSchema = z.object({
  asset_id: idSchema,
  ...jobRef,
  user_id: idSchema,
  media_type: z.enum(['video', 'image']),
  provider_id: z.string().min(1).max(64),
  provider_asset_id: z.string().min(1).max(128),
  remote_url: z.string().url(),
  width: z.number().int().min(0).nullable(),
  height: z.number().int().min(0).nullable(),
  duration_sec: z.number().min(0).nullable(),
  file_size_bytes: z.number().int().min(0).nullable(),
  created_at: isoDateSchema,
});

/** The provider said (by webhook) that a generation changed: poll it now rather than at its next turn. */
export const generationPokedSchema = z.object({
  provider_id: z.string().min(1).max(64),
  provider_job_id: z.string().min(1).max(128),
  provider_status: z.number().int().nullable(),
  received_at: isoDateSchema,
});
