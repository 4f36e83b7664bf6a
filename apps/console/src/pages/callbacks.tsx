import { useState } from 'react';
import { api, must, problemOf, type ApiProblem } from '../api/client';
import { time } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';
import { ProblemLine } from '../ui';

const STATES = ['failed', 'pending', 'delivered'] as const;

/** Clients' callbacks the gateway gave up on, with the receiver's last answer; resend once it is back. */
export function CallbacksPage() {
  const [state, setState] = useState<(typeof STATES)[number]>('failed');
  const list = usePoll(
    () => must(api.GET('/api/v1/admin/callbacks', { params: { query: { state, limit: 100 } } })),
    5000,
    [state],
  );
  const [problem, setProblem] = useState<ApiProblem>();
  const [note, setNote] = useState('');
  const resend = async (ids?: string[]) => {
    setProblem(undefined);
    const { data, error, response } = await api.POST('/api/v1/admin/callbacks/resend', { body: ids ? { ids } : {} });
    if (error || !data) return setProblem(problemOf(error, response));
    setNote(`${data.resent} callbacks pending again`);
    list.reload();
  };
  return (
    <>
      <h1>Callbacks</h1>
      <div className="filters">
        <label>
          State
          <select value={state} onChange={(e) => setState(e.target.value as (typeof STATES)[number])}>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        {state === 'failed' && (
          <button type="button" onClick={() => resend()} disabled={!list.data?.items.length}>
            Resend all given up
          </button>
        )}
      </div>
      <ProblemLine problem={problem ?? list.problem} />
      <p role="status" className="muted">
        {note}
      </p>
      <table aria-label="Callbacks">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">URL</th>
            <th scope="col">Event</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((c) => (
            <tr key={c.job_id}>
              <td>
                <a href={href(`jobs/${c.job_id}`)} className="mono">
                  {c.job_id}
                </a>
              </td>
              <td className="mono small">{c.url}</td>
              <td>{c.event}</td>
              <td>{c.attempts}</td>
              <td>
                {c.last_status ? <code>HTTP {c.last_status}</code> : null} {c.last_error}
              </td>
              <td>{time(c.created_at)}</td>
              <td>
                {c.state === 'failed' && (
                  <button type="button" onClick={() => resend([c.job_id])}>
                    Resend
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.items.length === 0 && <p className="muted">No {state} callbacks.</p>}
    </>
  );
}
