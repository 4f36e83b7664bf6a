import { useState } from 'react';
import { api, must, problemOf, type ApiProblem, type EventType } from '../api/client';
import { duration, num, time } from '../format';
import { usePoll } from '../hooks';
import { ProblemLine, Section } from '../ui';

export function StreamsPage() {
  const streams = usePoll(() => must(api.GET('/api/v1/admin/streams')), 3000, []);
  const [open, setOpen] = useState<EventType>();
  const withDead = streams.data?.streams.filter((s) => s.dlq_length > 0) ?? [];
  return (
    <>
      <h1>Streams</h1>
      <ProblemLine problem={streams.problem} />
      <div className="table-wrap">
        <table aria-label="Streams and groups">
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Length</th>
              <th scope="col">Group</th>
              <th scope="col">Consumers</th>
              <th scope="col">Lag</th>
              <th scope="col">Pending</th>
              <th scope="col">Oldest pending</th>
              <th scope="col">Dead letters</th>
            </tr>
          </thead>
          <tbody>
            {streams.data?.streams.flatMap((s) =>
              (s.groups.length ? s.groups : [null]).map((g, i) => (
                <tr key={`${s.type}-${g?.group ?? ''}`} className={i === 0 ? 'group-start' : ''}>
                  {i === 0 && (
                    <th scope="rowgroup" rowSpan={Math.max(1, s.groups.length)}>
                      {s.type}
                    </th>
                  )}
                  {i === 0 && <td rowSpan={Math.max(1, s.groups.length)}>{num(s.length)}</td>}
                  <td>{g?.group ?? '—'}</td>
                  <td>{g?.consumers ?? '—'}</td>
                  <td>{g?.lag ?? '—'}</td>
                  <td>{g?.pending ?? '—'}</td>
                  <td>{g?.oldest_pending_ms ? duration(g.oldest_pending_ms) : '—'}</td>
                  {i === 0 && (
                    <td rowSpan={Math.max(1, s.groups.length)}>
                      {s.dlq_length ? (
                        <button
                          type="button"
                          className="linkish"
                          onClick={() => setOpen(s.type)}
                          aria-label={`${s.dlq_length} dead letters of ${s.type}`}
                        >
                          {s.dlq_length}
                        </button>
                      ) : (
                        0
                      )}
                    </td>
                  )}
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
      {withDead.length > 0 && !open && (
        <p>Dead letters in {withDead.map((s) => s.type).join(', ')}: pick a stream's count to see them.</p>
      )}
      {open && <DeadLetters type={open} onReplayed={streams.reload} key={open} />}
    </>
  );
}

function DeadLetters({ type, onReplayed }: { type: EventType; onReplayed: () => void }) {
  const letters = usePoll(
    () => must(api.GET('/api/v1/admin/dlq/{type}', { params: { path: { type }, query: { limit: 100 } } })),
    0,
    [type],
  );
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<ApiProblem>();
  const [note, setNote] = useState('');
  const toggle = (id: string) =>
    setPicked((p) => {
      const n = new Set(p);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const replay = async () => {
    setProblem(undefined);
    const { data, error, response } = await api.POST('/api/v1/admin/dlq/{type}/replay', {
      params: { path: { type } },
      body: { ids: [...picked] },
    });
    if (error || !data) return setProblem(problemOf(error, response));
    setNote(`${data.replayed} replayed`);
    setPicked(new Set());
    letters.reload();
    onReplayed();
  };
  const items = letters.data?.items ?? [];
  return (
    <Section
      title={`Dead letters of ${type}`}
      actions={
        <button type="button" onClick={replay} disabled={picked.size === 0}>
          Replay selected
        </button>
      }
    >
      <ProblemLine problem={problem ?? letters.problem} />
      <p role="status" className="muted">
        {note}
      </p>
      <table aria-label={`Dead letters of ${type}`}>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all"
                checked={items.length > 0 && picked.size === items.length}
                onChange={(e) => setPicked(e.target.checked ? new Set(items.map((d) => d.id)) : new Set())}
              />
            </th>
            <th scope="col">Entry</th>
            <th scope="col">Group</th>
            <th scope="col">Code</th>
            <th scope="col">Reason</th>
            <th scope="col">Deliveries</th>
            <th scope="col">Dead since</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${d.id}`}
                  checked={picked.has(d.id)}
                  onChange={() => toggle(d.id)}
                />
              </td>
              <td className="mono small">
                {d.id}
                <div className="muted">{d.event_id}</div>
              </td>
              <td>{d.group}</td>
              <td>
                <code>{d.code}</code>
              </td>
              <td className="reason">{d.reason}</td>
              <td>{d.deliveries}</td>
              <td>{time(d.dead_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && !letters.loading && <p className="muted">None left.</p>}
    </Section>
  );
}
