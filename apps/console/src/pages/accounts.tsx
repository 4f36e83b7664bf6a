import { useState, type FormEvent } from 'react';
import { api, must, problemOf, type Account, type ApiProblem } from '../api/client';
import { ago, duration, num } from '../format';
import { useNow, usePoll } from '../hooks';
import { Field, ProblemLine, Section } from '../ui';

export function AccountsPage() {
  const accounts = usePoll(() => must(api.GET('/api/v1/accounts', { params: { query: { limit: 100 } } })), 3000, []);
  const now = useNow();
  const [problem, setProblem] = useState<ApiProblem>();
  const [note, setNote] = useState('');

  const act = async (call: Promise<{ error?: unknown; response: Response }>, done: string) => {
    setProblem(undefined);
    const { error, response } = await call;
    if (error || !response.ok) return setProblem(problemOf(error, response));
    setNote(done);
    accounts.reload();
  };

  return (
    <>
      <h1>Accounts</h1>
      <ProblemLine problem={problem ?? accounts.problem} />
      <p role="status" className="muted">
        {note}
      </p>
      <div className="table-wrap">
        <table aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Status</th>
              <th scope="col">Credits</th>
              <th scope="col">In flight / cap</th>
              <th scope="col">Priority</th>
              <th scope="col">Submitted</th>
              <th scope="col">Failed</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data?.items.map((a) => (
              <AccountRow key={a.id} a={a} now={now} act={act} />
            ))}
          </tbody>
        </table>
      </div>
      <AddAccount
        onAdded={(id) => {
          setNote(`Account ${id} added. Its key is stored sealed and is not shown again.`);
          accounts.reload();
        }}
      />
    </>
  );
}

type Act = (call: Promise<{ error?: unknown; response: Response }>, done: string) => Promise<void>;

function AccountRow({ a, now, act }: { a: Account; now: number; act: Act }) {
  const [priority, setPriority] = useState(String(a.priority));
  const [cap, setCap] = useState(String(a.max_concurrent_jobs));
  const [credits, setCredits] = useState('');
  const path = { params: { path: { id: a.id } } };
  const cooldownMs = a.cooldown_until ? new Date(a.cooldown_until).getTime() - now : 0;
  const name = a.nickname ?? a.email ?? a.id;
  return (
    <tr>
      <th scope="row">
        {name}
        <div className="mono small muted">{a.id}</div>
      </th>
      <td>
        <span className={`badge acct-${a.status.toLowerCase()}`}>{a.status}</span>
        {cooldownMs > 0 && <div className="small">cooldown {duration(cooldownMs)}</div>}
      </td>
      <td>{num(a.credits)}</td>
      <td>
        <meter
          min={0}
          max={a.max_concurrent_jobs}
          value={a.in_flight}
          aria-label={`${a.in_flight} of ${a.max_concurrent_jobs} in flight`}
        />{' '}
        {a.in_flight} / {a.max_concurrent_jobs}
      </td>
      <td>{a.priority}</td>
      <td>{num(a.total_submitted)}</td>
      <td>{num(a.total_failed)}</td>
      <td>{ago(a.last_used, now)}</td>
      <td>
        <form
          className="inline"
          aria-label={`Edit ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              api.PATCH('/api/v1/accounts/{id}', {
                ...path,
                body: { priority: Number(priority), max_concurrent_jobs: Number(cap) },
              }),
              `${name}: saved`,
            );
          }}
        >
          <label>
            priority{' '}
            <input value={priority} onChange={(e) => setPriority(e.target.value)} size={3} inputMode="numeric" />
          </label>
          <label>
            cap <input value={cap} onChange={(e) => setCap(e.target.value)} size={3} inputMode="numeric" />
          </label>
          <button type="submit">Save</button>
        </form>
        <form
          className="inline"
          aria-label={`Top up ${name}`}
          onSubmit={(e) => {
            e.preventDefault();
            void act(
              api.POST('/api/v1/accounts/{id}/credits', { ...path, body: { credits: Number(credits) } }),
              `${name}: topped up`,
            ).then(() => setCredits(''));
          }}
        >
          <label>
            credits{' '}
            <input value={credits} onChange={(e) => setCredits(e.target.value)} size={6} inputMode="numeric" required />
          </label>
          <button type="submit">Top up</button>
        </form>
        <button
          type="button"
          className={a.status === 'DISABLED' ? '' : 'danger'}
          onClick={() =>
            act(
              api.PATCH('/api/v1/accounts/{id}', {
                ...path,
                body: { status: a.status === 'DISABLED' ? 'ACTIVE' : 'DISABLED' },
              }),
              `${name}: ${a.status === 'DISABLED' ? 'enabled' : 'disabled'}`,
            )
          }
        >
          {a.status === 'DISABLED' ? 'Enable' : 'Disable'}
        </button>
      </td>
    </tr>
  );
}

function AddAccount({ onAdded }: { onAdded: (id: string) => void }) {
  const [f, setF] = useState({ api_key: '', nickname: '', email: '', max_concurrent_jobs: '1', priority: '0' });
  const [problem, setProblem] = useState<ApiProblem>();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    const { data, error, response } = await api.POST('/api/v1/accounts', {
      body: {
        provider_id: 'pixverse',
        api_key: f.api_key,
        nickname: f.nickname || undefined,
        email: f.email || undefined,
        max_concurrent_jobs: Number(f.max_concurrent_jobs),
        priority: Number(f.priority),
      },
    });
    if (error || !data) return setProblem(problemOf(error, response));
    setF({ api_key: '', nickname: '', email: '', max_concurrent_jobs: '1', priority: '0' }); // the key leaves the page
    onAdded(data.id);
  };
  return (
    <Section title="Add a PixVerse account">
      <ProblemLine problem={problem} />
      <form onSubmit={submit} aria-label="Add account" className="row">
        <Field label="API key" id="a-key" error={problem?.fields.api_key} hint="stored sealed; never shown again">
          <input id="a-key" type="password" autoComplete="off" required value={f.api_key} onChange={set('api_key')} />
        </Field>
        <Field label="Nickname" id="a-nick" error={problem?.fields.nickname}>
          <input id="a-nick" value={f.nickname} onChange={set('nickname')} />
        </Field>
        <Field label="Account email" id="a-email" error={problem?.fields.email}>
          <input id="a-email" type="email" value={f.email} onChange={set('email')} />
        </Field>
        <Field label="Max concurrent jobs" id="a-cap" error={problem?.fields.max_concurrent_jobs}>
          <input
            id="a-cap"
            inputMode="numeric"
            value={f.max_concurrent_jobs}
            onChange={set('max_concurrent_jobs')}
            size={4}
          />
        </Field>
        <Field label="Priority" id="a-prio" error={problem?.fields.priority}>
          <input id="a-prio" inputMode="numeric" value={f.priority} onChange={set('priority')} size={4} />
        </Field>
        <button type="submit">Add account</button>
      </form>
    </Section>
  );
}
