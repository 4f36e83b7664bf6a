import { useState, type FormEvent } from 'react';
import { api, must, type JobStatus, type OperationType } from '../api/client';
import { ago, short } from '../format';
import { useNow, usePoll } from '../hooks';
import { go, href } from '../router';
import { ProblemLine, StatusBadge } from '../ui';

const STATUSES: JobStatus[] = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'];
export const OPERATIONS: OperationType[] = [
  'text_to_video',
  'image_to_video',
  'video_extend',
  'video_transition',
  'fusion',
];
const PAGE = 25;

/** One row per job, newest first, refreshed every two seconds; filters live in the URL. */
export function JobsPage({ admin, query }: { admin: boolean; query: URLSearchParams }) {
  const status = (query.get('status') ?? undefined) as JobStatus | undefined;
  const operation = (query.get('operation') ?? undefined) as OperationType | undefined;
  const user = query.get('user') ?? undefined;
  const q = query.get('q') ?? undefined;
  const [cursors, setCursors] = useState<string[]>([]); // the cursors of the pages before this one
  const cursor = cursors.at(-1);
  const now = useNow(5000);
  const jobs = usePoll(
    () =>
      must(
        api.GET('/api/v1/jobs', {
          params: {
            query: { status, operation_type: operation, user_id: admin ? user : undefined, q, limit: PAGE, cursor },
          },
        }),
      ),
    2000,
    [status, operation, user, q, cursor],
  );
  const filter = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setCursors([]);
    go('jobs', {
      status: String(f.get('status') ?? ''),
      operation: String(f.get('operation') ?? ''),
      user: String(f.get('user') ?? ''),
      q: String(f.get('q') ?? '').trim(),
    });
  };

  return (
    <>
      <h1>Jobs</h1>
      <form className="filters" aria-label="Filter jobs" onSubmit={filter} key={query.toString()}>
        <label>
          Search
          <input id="search" name="q" type="search" placeholder="job id or prompt text" defaultValue={q} />
        </label>
        <label>
          Status
          <select name="status" defaultValue={status ?? ''} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Operation
          <select
            name="operation"
            defaultValue={operation ?? ''}
            onChange={(e) => e.currentTarget.form?.requestSubmit()}
          >
            <option value="">any</option>
            {OPERATIONS.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        {admin && (
          <label>
            User
            <input name="user" placeholder="user id" defaultValue={user} size={14} />
          </label>
        )}
        <button type="submit">Filter</button>
        {(status || operation || user || q) && (
          <a className="button ghost" href={href('jobs')} onClick={() => setCursors([])}>
            Clear
          </a>
        )}
      </form>
      <ProblemLine problem={jobs.problem} />
      <div className="table-wrap">
        <table className="jobs" aria-label="Jobs" aria-busy={jobs.loading}>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Operation</th>
              <th scope="col">Prompt</th>
              {admin && <th scope="col">User</th>}
              <th scope="col">Created</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {jobs.data?.items.map((j) => (
              <tr key={j.id} data-job-id={j.id}>
                <td>
                  <a href={href(`jobs/${j.id}`)} className="mono">
                    {j.id}
                  </a>
                </td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td>{j.operation_type}</td>
                <td className="prompt" title={String(j.params.prompt ?? '')}>
                  {String(j.params.prompt ?? '')}
                </td>
                {admin && (
                  <td className="mono" title={j.user_id}>
                    <a href={href('jobs', { user: j.user_id })}>{short(j.user_id)}</a>
                  </td>
                )}
                <td title={j.created_at}>{ago(j.created_at, now)}</td>
                <td className="muted">{j.error_code ?? j.status_detail ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {jobs.data && jobs.data.items.length === 0 && <p className="muted">No jobs match.</p>}
      </div>
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <span>page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!jobs.data?.next_cursor}
          onClick={() => jobs.data?.next_cursor && setCursors((c) => [...c, jobs.data!.next_cursor!])}
        >
          Older
        </button>
      </nav>
    </>
  );
}
