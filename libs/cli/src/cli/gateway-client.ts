import { CliError } from './errors.js';
import type { CliConfig } from './config.js';

/** The gateway cannot be reached at all: `streams` falls back to Redis on this one. */
export class GatewayUnreachableError extends CliError {}

/** The gateway answered, with a non-2xx status a command may expect (a 404 for "none"). */
export class GatewayAnswerError extends CliError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface GatewayClient {
  readonly url: string;
  /** For streams (server-sent events) the client opens itself; absent in fakes that only answer requests. */
  readonly token?: string;
  readonly fetch?: typeof fetch;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown };
}

function fieldLines(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.map((d: { field?: unknown; path?: unknown; message?: unknown }) => {
    const field = typeof d.field === 'string' ? d.field : Array.isArray(d.path) ? d.path.join('.') : '';
    return `  ${field ? `${field}: ` : ''}${String(d.message ?? JSON.stringify(d))}`;
  });
}

function tokenHint(cfg: CliConfig): string {
  const where = { flag: 'the --token flag', env: 'PIXSIM_TOKEN', file: `${cfg.dataDir}/admin.token`, none: '' }[
    cfg.tokenSource
  ];
  return (
    `set PIXSIM_TOKEN (or --token) to an admin token: \`npm start\` prints one and writes it to ${cfg.dataDir}/admin.token` +
    (where ? ` (the token used came from ${where})` : '')
  );
}

/** Turns a non-2xx answer into one message that says what to do next. */
function describeHttpError(
  cfg: CliConfig,
  status: number,
  body: unknown,
  retryAfter: string | null,
): GatewayAnswerError {
  return new GatewayAnswerError(httpErrorMessage(cfg, status, body, retryAfter), status);
}

function httpErrorMessage(cfg: CliConfig, status: number, body: unknown, retryAfter: string | null): string {
  const err = (body as ErrorBody | null)?.error ?? {};
  const code = err.code ?? `HTTP_${status}`;
  const message = err.message ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no details');
  if (status === 401) return `the gateway refused the request (401 ${code}: ${message}); ${tokenHint(cfg)}`;
  if (status === 403) return `not allowed (403 ${code}: ${message}); this needs an admin token: ${tokenHint(cfg)}`;
  if (status === 400) {
    const lines = fieldLines(err.details);
    return `the gateway rejected the request (400 ${code}):\n${lines.length ? lines.join('\n') : `  ${message}`}`;
  }
  if (status === 429 || status === 503) {
    return (
      `the gateway is busy (${status} ${code}: ${message}); try ` +
      `again${retryAfter ? ` in ${retryAfter}s` : ' shortly'}`
    );
  }
  if (status >= 500)
    return `the gateway failed (${status} ${code}: ${message}); its log (the \`npm start\` terminal) says more`;
  return `${status} ${code}: ${message}`;
}

export function createGatewayClient(cfg: CliConfig, fetchImpl: typeof fetch = fetch): GatewayClient {
  return {
    url: cfg.url,
    token: cfg.token,
    fetch: fetchImpl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      if (!cfg.token) throw new CliError(`no token: ${tokenHint(cfg)}`);
      let res: Response;
      try {
        res = await fetchImpl(`${cfg.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${cfg.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        const inner = (err as { cause?: { code?: string; message?: string } }).cause;
        const cause = inner?.code ?? inner?.message ?? (err as Error).message;
        throw new GatewayUnreachableError(
          `cannot reach the gateway at ${cfg.url} (${cause}): is \`npm start\` running? Set PIXSIM_URL (or --url) ` +
            `if it runs elsewhere.`,
        );
      }
      const text = await res.text();
      let json: unknown = text;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text for the message */
      }
      if (!res.ok) throw describeHttpError(cfg, res.status, json, res.headers.get('retry-after'));
      return json as T;
    },
  };
}
