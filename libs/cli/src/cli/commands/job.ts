import type { CallbackResponse } from '@pixsim/contracts';
import { intFlag, type ParsedCommand } from '../args.js';
import { UsageError } from '../errors.js';
import { GatewayAnswerError, type GatewayClient } from '../gateway-client.js';
import { nowOf, type CliIo } from '../io.js';
import { age } from '../table.js';
import { followJob } from './submit.js';
import type { JobView } from './views.js';

function jobId(parsed: ParsedCommand, command: string): string {
  const [id, ...extra] = parsed.positionals;
  if (!id) throw new UsageError(`${command} needs a job id (pixsim jobs lists them)`);
  if (extra.length) throw new UsageError(`${command} takes one job id, got also ${JSON.stringify(extra.join(' '))}`);
  return id;
}

/** `pixsim job ID [--wait]`: one job in full; --wait follows it to the end, as `submit --wait` does. */
export async function jobCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const id = jobId(parsed, 'job');
  if (parsed.values.wait) return followJob(client, id, io, intFlag(parsed.values, 'timeout', { min: 1 }));
  const job = await client.request<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  const video = job.asset_id
    ? ((await client.request<{ remote_url?: string }>('GET', `/api/v1/assets/${encodeURIComponent(job.asset_id)}`))
        .remote_url ?? null)
    : null;
  const callback = job.callback_url ? await callbackOf(client, job.id) : null;
  if (parsed.values.json) {
    io.out(`${JSON.stringify({ ...job, video_url: video, ...(job.callback_url ? { callback } : {}) }, null, 2)}\n`);
    return 0;
  }
  const now = nowOf(io)();
  const when = (iso: string | null | undefined) => (iso ? `${iso} (${age(now - Date.parse(iso))} ago)` : '-');
  const rows: Array<[string, string]> = [
    ['id', job.id],
    ['status', `${job.status}${job.status_detail ? ` (${job.status_detail})` : ''}`],
    ...(job.error_code ? [['error', `${job.error_code}: ${job.error_message ?? ''}`] as [string, string]] : []),
    ['operation', String(job.operation_type ?? '-')],
    ['prompt', job.params?.prompt ?? '-'],
    ['created', when(job.created_at)],
    ['started', when(job.started_at)],
    ['completed', when(job.completed_at)],
    // Where it runs at the provider: the id to quote to its support (the account is in job-intake's log line).
    ...(job.provider_job_id
      ? [
          [
            'provider',
            `${job.provider_job_id}${job.retry_count ? ` (after ${job.retry_count} ${job.retry_count === 1 ? 'retry' : 'retries'})` : ''}`,
          ] as [string, string],
        ]
      : []),
    ['video', video ?? (job.status === 'COMPLETED' ? '(the asset is on its way)' : '-')],
    ...(job.callback_url
      ? [['callback', `${job.callback_url}: ${callbackLine(callback, job.id)}`] as [string, string]]
      : []),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  io.out(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  return 0;
}

type CallbackView = CallbackResponse;

/** The job's callback, or null when it is not scheduled yet (the job has not ended). */
async function callbackOf(client: GatewayClient, id: string): Promise<CallbackView | null> {
  try {
    return await client.request<CallbackView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}/callback`);
  } catch (err) {
    if (err instanceof GatewayAnswerError && err.status === 404) return null;
    throw err;
  }
}

function callbackLine(cb: CallbackView | null, id: string): string {
  if (!cb) return 'sent when the job ends';
  const tries = `${cb.attempts} attempt${cb.attempts === 1 ? '' : 's'}`;
  if (cb.state === 'delivered') return `delivered (${tries}, answered ${cb.last_status})`;
  if (cb.state === 'failed')
    return (
      `given up after ${tries}: ${cb.last_error ?? 'no answer'} (POST /api/v1/jobs/${id}/callback/resend ` +
      `sends it again)`
    );
  return (
    `being delivered (${tries} so far${cb.last_error ? `, last: ${cb.last_error}` : ''}; next at ` +
    `${cb.next_attempt_at ?? 'once claimed'})`
  );
}

/** `pixsim cancel ID`: asks for the cancel (202); a job that already ended is a 409, reported as such. */
export async function cancelCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const id = jobId(parsed, 'cancel');
  const job = await client.request<JobView>('DELETE', `/api/v1/jobs/${encodeURIComponent(id)}`);
  io.out(
    `${job.id}: cancel requested (now ${job.status}${job.status_detail ? `, ${job.status_detail}` : ''}); pixsim ` +
      `job ${job.id} --wait follows it\n`,
  );
  return 0;
}

/** A job's request as the API shows it back: what `resubmit` sends again. */
interface JobRequestView extends JobView {
  provider_id?: string;
  params?: Record<string, unknown> & { prompt?: string };
  priority?: number;
  name?: string | null;
  description?: string | null;
  workspace_id?: string | null;
}

/**
 * `pixsim resubmit ID [--wait]`: the same request again, as a new job. A failed or
 * cancelled job is final; this is how it is tried again (a job still running is
 * refused: it may yet complete).
 */
export async function resubmitCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const id = jobId(parsed, 'resubmit');
  const timeoutS = intFlag(parsed.values, 'timeout', { min: 1 });
  const old = await client.request<JobRequestView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  if (old.status === 'PENDING' || old.status === 'PROCESSING') {
    io.err(
      `pixsim: job ${id} is still ${old.status}: it may yet complete (pixsim job ${id} --wait follows it; pixsim ` +
        `cancel ${id} stops it)\n`,
    );
    return 1;
  }
  const body = {
    operation_type: old.operation_type,
    provider_id: old.provider_id,
    params: old.params,
    priority: old.priority,
    name: old.name ?? null,
    description: old.description ?? null,
    workspace_id: old.workspace_id ?? null,
    ...(old.callback_url ? { callback_url: old.callback_url } : {}),
  };
  const job = await client.request<JobView>('POST', '/api/v1/jobs', body);
  io.out(`${job.id}\n`);
  if (!parsed.values.wait) return 0;
  return followJob(client, job.id, io, timeoutS);
}
