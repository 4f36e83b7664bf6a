/** The parts of the gateway's answers the CLI reads (docs/api.md). */
export interface JobView {
  id: string;
  status: string;
  status_detail?: string | null;
  operation_type?: string;
  params?: { prompt?: string };
  error_code?: string | null;
  error_message?: string | null;
  asset_id?: string | null;
  created_at?: string;
  started_at?: string | null;
  completed_at?: string | null;
  callback_url?: string | null;
  provider_job_id?: string | null;
  retry_count?: number;
}

export interface StreamRow {
  type: string;
  length: number;
  dlq: number;
  /** The stream (or a group, on the group) does not exist: its zero lag is no idle system. */
  missing?: boolean;
  groups: { group: string; lag: number | null; pending: number; oldestPendingMs: number | null; missing?: boolean }[];
}
