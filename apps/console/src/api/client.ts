import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The one way the console talks to the gateway: typed by the gateway's OpenAPI
 * document (schema.d.ts is generated from it), same origin, bearer token from the
 * session. Response types below are read from that document, never written by hand.
 */
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type GetOk<P extends keyof paths> = paths[P] extends { get: { responses: { 200: infer R } } } ? Json<R> : never;

export type Job = GetOk<'/api/v1/jobs/{id}'>;
export type JobStats = GetOk<'/api/v1/jobs/stats'>;
export type Account = GetOk<'/api/v1/accounts/{id}'>;
type Streams = GetOk<'/api/v1/admin/streams'>;
export type StreamInfo = Streams['streams'][number];
export type Me = GetOk<'/api/v1/users/me'>;
export type CreateJobBody = NonNullable<paths['/api/v1/jobs']['post']['requestBody']>['content']['application/json'];
export type JobStatus = Job['status'];
export type OperationType = Job['operation_type'];
export type EventType = StreamInfo['type'];

const TOKEN_KEY = 'pixsim.console.token';
let onUnauthorized: () => void = () => {};

/** Kept for this tab only: sessionStorage, never a cookie (the API takes bearer tokens). */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
  onUnauthorized: (fn: () => void) => {
    onUnauthorized = fn;
  },
};

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // A token that stopped working (expired, revoked, user disabled) ends the session.
    if (response.status === 401 && !request.url.includes('/auth/login')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

export interface ApiProblem {
  status: number;
  code: string;
  message: string;
  /** Field errors, keyed by the dotted field name the API reports (e.g. `params.prompt`). */
  fields: Record<string, string>;
}

/** The API's `{error:{code,message,details}}`, or a network failure, as one shape. */
export function problemOf(error: unknown, response?: Response): ApiProblem {
  const e = (error as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  const fields: Record<string, string> = {};
  if (Array.isArray(e?.details))
    for (const d of e.details as { field?: string; message?: string }[])
      if (d.field) fields[d.field] = fields[d.field] ? `${fields[d.field]}; ${d.message}` : String(d.message);
  return {
    status: response?.status ?? 0,
    code: e?.code ?? (response ? `HTTP_${response.status}` : 'NETWORK'),
    message: e?.message ?? (error instanceof Error ? error.message : 'the gateway did not answer'),
    fields,
  };
}

/** For calls whose failure the page shows as a line of text. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw problemOf(error, response);
  return data as T;
}

export const isProblem = (e: unknown): e is ApiProblem =>
  typeof e === 'object' && e !== null && 'code' in e && 'fields' in e;
