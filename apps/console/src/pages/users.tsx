import { useState } from 'react';
import { session, type ApiProblem } from '../api/client';
import { time } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';
import { ProblemLine } from '../ui';

/**
 * The user-administration API's shapes. This gateway's OpenAPI document does not
 * describe /admin/users yet; once it does, these come from schema.d.ts like the rest.
 */
interface Limit {
  limit: number | null;
  used: number;
  resets_at: string | null;
}
interface AdminUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  disabled: boolean;
  created_at: string;
  quota: Record<'max_active_jobs' | 'jobs_per_day' | 'credits_per_day', number | null>;
  usage: Record<'max_active_jobs' | 'jobs_per_day' | 'credits_per_day', Limit>;
}

class Unavailable extends Error {}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 404 && path.startsWith('/admin/users?')) throw new Unavailable();
  const json = await res.json().catch(() => null);
  if (!res.ok) {
    const e = json?.error ?? {};
    throw {
      status: res.status,
      code: e.code ?? `HTTP_${res.status}`,
      message: e.message ?? res.statusText,
      fields: {},
    } satisfies ApiProblem;
  }
  return json as T;
}

export function UsersPage() {
  const [q, setQ] = useState('');
  const [problem, setProblem] = useState<ApiProblem>();
  const [unavailable, setUnavailable] = useState(false);
  const users = usePoll(
    async () => {
      try {
        return await call<{ items: AdminUser[]; next_cursor: string | null }>(
          'GET',
          `/admin/users?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`,
        );
      } catch (err) {
        if (err instanceof Unavailable) {
          setUnavailable(true);
          return { items: [], next_cursor: null };
        }
        throw err;
      }
    },
    10_000,
    [q],
  );
  if (unavailable)
    return (
      <>
        <h1>Users</h1>
        <p className="notice" role="status">
          User administration is not available on this gateway: <code>GET /api/v1/admin/users</code> answered 404.
          Update the gateway to list users, their usage and quotas here.
        </p>
      </>
    );
  const setDisabled = async (u: AdminUser, disabled: boolean) => {
    setProblem(undefined);
    try {
      await call('PATCH', `/admin/users/${encodeURIComponent(u.id)}`, { disabled });
      users.reload();
    } catch (err) {
      setProblem(err as ApiProblem);
    }
  };
  const usage = (l: Limit | undefined) => (l ? `${l.used} / ${l.limit ?? '∞'}` : '—');
  return (
    <>
      <h1>Users</h1>
      <div className="filters">
        <label>
          Search
          <input
            id="search"
            type="search"
            placeholder="email prefix or id"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
      </div>
      <ProblemLine problem={problem ?? users.problem} />
      <table aria-label="Users">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">Active jobs</th>
            <th scope="col">Jobs today</th>
            <th scope="col">Credits today</th>
            <th scope="col">Since</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.items.map((u) => (
            <tr key={u.id} className={u.disabled ? 'disabled' : ''}>
              <th scope="row">
                {u.email}
                <div className="mono small muted">
                  <a href={href('jobs', { user: u.id })}>{u.id}</a>
                </div>
              </th>
              <td>
                {u.role}
                {u.disabled && <span className="badge status-cancelled">disabled</span>}
              </td>
              <td>{usage(u.usage?.max_active_jobs)}</td>
              <td>{usage(u.usage?.jobs_per_day)}</td>
              <td>{usage(u.usage?.credits_per_day)}</td>
              <td>{time(u.created_at)}</td>
              <td>
                <button
                  type="button"
                  className={u.disabled ? '' : 'danger'}
                  onClick={() => setDisabled(u, !u.disabled)}
                >
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
