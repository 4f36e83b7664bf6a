import { useState } from 'react';
import { api, must, type ApiProblem } from '../api/client';
import type { paths } from '../api/schema';
import { time } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';
import { ProblemLine } from '../ui';

type UserPage = NonNullable<paths['/api/v1/admin/users']['get']['responses'][200]['content']['application/json']>;
type AdminUser = UserPage['items'][number];
type Limit = AdminUser['usage']['max_active_jobs'];

/** A gateway without user administration answers 404 here: the page says so instead of failing. */
async function listUsers(q: string): Promise<UserPage | null> {
  const { data, error, response } = await api.GET('/api/v1/admin/users', {
    params: { query: { limit: 100, ...(q ? { q } : {}) } },
  });
  if (response.status === 404) return null;
  return must(Promise.resolve({ data, error, response }));
}

export function UsersPage() {
  const [q, setQ] = useState('');
  const [problem, setProblem] = useState<ApiProblem>();
  const [unavailable, setUnavailable] = useState(false);
  const users = usePoll(
    async () => {
      const page = await listUsers(q);
      if (page) return page;
      setUnavailable(true);
      return { items: [], next_cursor: null } satisfies UserPage;
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
      await must(api.PATCH('/api/v1/admin/users/{id}', { params: { path: { id: u.id } }, body: { disabled } }));
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
