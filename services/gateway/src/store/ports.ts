import type { EventData, JobEvent } from '@pixsim/contracts';
import type { ApplyOptions } from '@pixsim/persistence';
import type { PageCursor } from '../http/pagination.js';
import type { JobRecord } from '../read-model/job-record.js';
import type { AccountRecord } from '../read-model/account-record.js';
import type { AssetRecord } from '../read-model/asset-record.js';

/** The narrow ports the routes and handlers use; MongoDB in production, maps in unit tests. */
export interface JobListQuery {
  userId?: string;
  status?: string;
  operationType?: string;
  providerId?: string;
  /** A job id (exact) or words of the prompt (case-insensitive). */
  text?: string;
  limit: number;
  after?: PageCursor;
}

export interface JobStore {
  /** Folds the event into the job's record (creating it when absent) and returns the result. */
  /** `linger`: a consumed event's fold, which no request waits on, may share a round trip (job-store.ts). */
  apply(jobId: string, event: JobEvent, opts?: ApplyOptions): Promise<JobRecord>;
  /** The job, or null when unknown or its creation fields are not known yet. */
  get(jobId: string): Promise<JobRecord | null>;
  /** Newest first, limit + 1 rows (the extra one tells whether there is a next page). */
  list(query: JobListQuery): Promise<JobRecord[]>;
}

export interface AssetStore {
  /** Records the asset once; a repeat is a no-op. */
  insert(data: EventData<'ASSET_CREATED'>): Promise<void>;
  get(assetId: string): Promise<AssetRecord | null>;
  list(query: { userId?: string; limit: number; after?: PageCursor }): Promise<AssetRecord[]>;
}

export interface AccountStore {
  /** The view written at creation, before the dispatcher's first ACCOUNT_UPDATED; never overwrites. */
  insertProvisional(record: AccountRecord): Promise<void>;
  /** Applies the update when its revision is newer than the view's (or the view is provisional). */
  applyUpdate(data: EventData<'ACCOUNT_UPDATED'>): Promise<boolean>;
  /** The account, or null when unknown or deleted. */
  get(accountId: string): Promise<AccountRecord | null>;
  list(query: { providerId?: string; status?: string; limit: number; after?: PageCursor }): Promise<AccountRecord[]>;
}
