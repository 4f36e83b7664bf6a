import { intFlag, stringFlag, type ParsedCommand } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import type { GatewayClient } from '../gateway-client.js';
import { nowOf, sleepOf, type CliIo } from '../io.js';
import { jobEvents } from '../job-events.js';
import type { JobView } from './views.js';

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
/** A COMPLETED job learns its asset id from a later event; wait this long for it. */
const ASSET_GRACE_MS = 15_000;

/** The POST /api/v1/jobs body: only the flags given, so the gateway's and provider's defaults apply. */
export function buildSubmitBody({ values, positionals }: ParsedCommand): Record<string, unknown> {
  const prompt = positionals.join(' ').trim();
  if (!prompt) throw new UsageError('submit needs a prompt: pixsim submit "a cat surfing" --wait');
  const imageUrl = stringFlag(values, 'image-url');
  const params: Record<string, unknown> = {
    prompt,
    model: stringFlag(values, 'model'),
    quality: stringFlag(values, 'quality'),
    duration: intFlag(values, 'duration', { min: 1 }),
    aspect_ratio: stringFlag(values, 'aspect'),
    seed: intFlag(values, 'seed', { min: 0 }),
    negative_prompt: stringFlag(values, 'negative-prompt'),
    image_url: imageUrl,
  };
  return {
    operation_type: imageUrl ? 'image_to_video' : 'text_to_video',
    provider_id: 'pixverse',
    params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)),
    ...(values.priority === undefined ? {} : { priority: intFlag(values, 'priority') }),
    ...(stringFlag(values, 'callback-url') === undefined ? {} : { callback_url: stringFlag(values, 'callback-url') }),
  };
}

export async function submitCommand(client: GatewayClient, parsed: ParsedCommand, io: CliIo): Promise<number> {
  const body = buildSubmitBody(parsed);
  const timeoutS = intFlag(parsed.values, 'timeout', { min: 1 });
  const job = await client.request<JobView>('POST', '/api/v1/jobs', body);
  io.out(`${job.id}\n`);
  if (!parsed.values.wait) return 0;
  return followJob(client, job.id, io, timeoutS);
}

function progressLine(job: JobView, elapsedMs: number): string {
  return `${job.status}${job.status_detail ? ` (${job.status_detail})` : ''}  ${(elapsedMs / 1_000).toFixed(1)}s`;
}

/**
 * Follows the job until it ends, drawing its progress; exit 0 on COMPLETED, 1
 * otherwise. Live updates come from the job's event stream; when the stream
 * cannot be opened or breaks off, it polls instead.
 */
export async function followJob(client: GatewayClient, id: string, io: CliIo, timeoutS?: number): Promise<number> {
  const now = nowOf(io);
  const started = now();
  let last = '';
  const draw = (job: JobView) => {
    const state = `${job.status}|${job.status_detail ?? ''}`;
    if (io.isTTY) io.out(`\r\x1b[K${progressLine(job, now() - started)}`);
    else if (state !== last) io.out(`${progressLine(job, now() - started)}\n`);
    last = state;
  };
  if (client.token && client.fetch) {
    const abort = new AbortController();
    const timer = timeoutS === undefined ? null : setTimeout(() => abort.abort(), timeoutS * 1_000);
    try {
      for await (const job of jobEvents(
        `${client.url}/api/v1/jobs/${encodeURIComponent(id)}/events`,
        client.token,
        abort.signal,
        client.fetch,
      )) {
        draw(job);
        if (TERMINAL.has(job.status) && (job.status !== 'COMPLETED' || job.asset_id)) break;
      }
    } catch {
      // No stream (an older gateway, a proxy that buffers): polling below does the same job.
    } finally {
      if (timer) clearTimeout(timer);
      abort.abort();
    }
  }
  return pollJob(client, id, io, started, draw, timeoutS);
}

async function pollJob(
  client: GatewayClient,
  id: string,
  io: CliIo,
  started: number,
  draw: (job: JobView) => void,
  timeoutS?: number,
): Promise<number> {
  const now = nowOf(io);
  const sleep = sleepOf(io);
  let completedAt: number | undefined;
  for (;;) {
    const job = await client.request<JobView>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    draw(job);
    if (TERMINAL.has(job.status)) {
      completedAt ??= now();
      if (job.status !== 'COMPLETED' || job.asset_id || now() - completedAt > ASSET_GRACE_MS) {
        if (io.isTTY) io.out('\n');
        return report(client, job, io, now() - started);
      }
    }
    if (timeoutS !== undefined && now() - started > timeoutS * 1_000) {
      if (io.isTTY) io.out('\n');
      throw new CliError(`job ${id} is still ${job.status} after ${timeoutS}s; it goes on without us: pixsim jobs`);
    }
    await sleep(io.pollMs ?? 1_000);
  }
}

async function report(client: GatewayClient, job: JobView, io: CliIo, elapsedMs: number): Promise<number> {
  const took = `${(elapsedMs / 1_000).toFixed(1)}s`;
  if (job.status !== 'COMPLETED') {
    io.out(
      `${job.status} after ${took}: ` +
        `${job.error_code ?? 'no error code'}${job.error_message ? `: ${job.error_message}` : ''}\n`,
    );
    return 1;
  }
  if (!job.asset_id) {
    io.out(`COMPLETED in ${took}, but no asset was recorded yet: pixsim jobs\n`);
    return 0;
  }
  const asset = await client.request<{ remote_url?: string }>(
    'GET',
    `/api/v1/assets/${encodeURIComponent(job.asset_id)}`,
  );
  io.out(`COMPLETED in ${took}\n${asset.remote_url ?? `(asset ${job.asset_id} has no remote_url)`}\n`);
  return 0;
}
