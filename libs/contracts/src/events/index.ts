import type { z } from 'zod';
import type { EventType } from '../event-types.js';
import {
  assetCreatedSchema,
  jobCancelRequestedSchema,
  jobCompletedSchema,
  jobCreatedSchema,
  jobDeferredSchema,
  jobFailedSchema,
  jobRequestedSchema,
  jobSubmittedSchema,
  generationPokedSchema,
} from './job-events.js';
import { accountCommandSchema, accountUpdatedSchema } from './account-events.js';

export * from './job-events.js';
export * from './account-events.js';

/** The only definition of each event's payload, with its schema version. */
export const EVENT_SCHEMAS = {
  JOB_REQUESTED: { v: 1, schema: jobRequestedSchema },
  JOB_CREATED: { v: 1, schema: jobCreatedSchema },
  JOB_DEFERRED: { v: 1, schema: jobDeferredSchema },
  JOB_SUBMITTED: { v: 1, schema: jobSubmittedSchema },
  JOB_COMPLETED: { v: 1, schema: jobCompletedSchema },
  JOB_FAILED: { v: 1, schema: jobFailedSchema },
  JOB_CANCEL_REQUESTED: { v: 1, schema: jobCancelRequestedSchema },
  ASSET_CREATED: { v: 1, schema: assetCreatedSchema },
  ACCOUNT_COMMAND: { v: 1, schema: accountCommandSchema },
  ACCOUNT_UPDATED: { v: 1, schema: accountUpdatedSchema },
  GENERATION_POKED: { v: 1, schema: generationPokedSchema },
} as const satisfies Record<EventType, { v: number; schema: z.ZodType }>;

export type EventData<T extends EventType> = z.infer<(typeof EVENT_SCHEMAS)[T]['schema']>;
