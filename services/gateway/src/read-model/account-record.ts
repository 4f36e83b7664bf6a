import type { AccountStatus, EventData } from '@pixsim/contracts';

/** The gateway's view of a provider account: what ACCOUNT_UPDATED says, never a credential. */
export interface AccountRecord {
  _id: string;
  provider_id: string;
  email: string | null;
  nickname: string | null;
  status: AccountStatus;
  credits: number;
  cooldown_until: string | null;
  max_concurrent_jobs: number;
  in_flight: number;
  priority: number;
  total_submitted: number;
  total_failed: number;
  last_used: string | null;
  created_at: Date;
  deleted: boolean;
  revision: number;
  /** Written by the gateway at creation; any ACCOUNT_UPDATED replaces it. */
  provisional: boolean;
}

export function accountRecordOf(data: EventData<'ACCOUNT_UPDATED'>): AccountRecord {
  const { account_id, created_at, ...rest } = data;
  return { _id: account_id, ...rest, created_at: new Date(created_at), provisional: false };
}
