import { api, must, type JobStats, type StreamInfo } from '../api/client';
import { duration, num } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';
import { ProblemLine, Section } from '../ui';

const SERVICES = ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'] as const;
const WHAT: Record<(typeof SERVICES)[number], string> = {
  gateway: 'takes requests, keeps the read model',
  'job-intake': 'validates, creates, retries',
  dispatcher: 'picks an account, submits',
  poller: 'asks the provider until done',
  asset: 'records the video',
};
/** A group is behind when this much waits, or its oldest unacknowledged entry is this old. */
const BEHIND_LAG = 100;
const BEHIND_PENDING_MS = 30_000;

export function OverviewPage({ admin }: { admin: boolean }) {
  const stats = usePoll(() => must(api.GET('/api/v1/jobs/stats')), 3000, []);
  return (
    <>
      <h1>Overview</h1>
      <ProblemLine problem={stats.problem} />
      {stats.data && <StatusCounts stats={stats.data} />}
      {admin ? <Pipeline /> : <p className="muted">The pipeline's streams are shown to admins.</p>}
      {stats.data && (
        <div className="grid2">
          <Section title="Jobs per minute, last hour">
            <PerMinuteChart rows={stats.data.per_minute} />
          </Section>
          <Section title="Failures by error code, last hour">
            <Failures stats={stats.data} />
          </Section>
        </div>
      )}
    </>
  );
}

function StatusCounts({ stats }: { stats: JobStats }) {
  return (
    <ul className="tiles" aria-label="Jobs by status">
      {Object.entries(stats.by_status).map(([status, n]) => (
        <li key={status} className={`tile status-${status.toLowerCase()}`}>
          <a href={href('jobs', { status })}>
            <span className="tile-n">{num(n)}</span>
            <span className="tile-label">{status}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function Pipeline() {
  const streams = usePoll(() => must(api.GET('/api/v1/admin/streams')), 2000, []);
  if (streams.problem) return <ProblemLine problem={streams.problem} />;
  if (!streams.data) return <p className="loading">Loading the pipeline…</p>;
  return (
    <section aria-label="Pipeline" className="pipeline">
      {SERVICES.map((service, i) => (
        <ServiceStage
          key={service}
          service={service}
          streams={streams.data!.streams}
          last={i === SERVICES.length - 1}
        />
      ))}
    </section>
  );
}

function ServiceStage(props: { service: (typeof SERVICES)[number]; streams: StreamInfo[]; last: boolean }) {
  const groups = props.streams.flatMap((s) =>
    s.groups.filter((g) => g.group === props.service).map((g) => ({ ...g, type: s.type, dlq: s.dlq_length })),
  );
  const lag = groups.reduce((n, g) => n + (g.lag ?? 0), 0);
  const pending = groups.reduce((n, g) => n + g.pending, 0);
  const oldest = Math.max(0, ...groups.map((g) => g.oldest_pending_ms ?? 0));
  const replicas = Math.max(0, ...groups.map((g) => g.consumers));
  const dead = groups.reduce((n, g) => n + g.dlq, 0);
  const behind = lag > BEHIND_LAG || oldest > BEHIND_PENDING_MS;
  const down = groups.length > 0 && replicas === 0;
  return (
    <article
      className={`stage${behind ? ' behind' : ''}${down ? ' down' : ''}`}
      aria-label={`${props.service}${behind ? ' (falling behind)' : ''}${down ? ' (no consumers)' : ''}`}
    >
      <h3>{props.service}</h3>
      <p className="muted small">{WHAT[props.service]}</p>
      {behind && <p className="flag">falling behind</p>}
      {down && <p className="flag">no consumers</p>}
      <dl className="kv">
        <dt>replicas</dt>
        <dd>{replicas}</dd>
        <dt>lag</dt>
        <dd>{num(lag)}</dd>
        <dt>pending</dt>
        <dd>{num(pending)}</dd>
        <dt>oldest pending</dt>
        <dd>{oldest ? duration(oldest) : '—'}</dd>
        <dt>dead letters</dt>
        <dd>{dead ? <a href={href('streams')}>{num(dead)}</a> : 0}</dd>
      </dl>
      <details>
        <summary>{groups.length} streams</summary>
        <table className="mini">
          <thead>
            <tr>
              <th scope="col">stream</th>
              <th scope="col">lag</th>
              <th scope="col">pending</th>
              <th scope="col">consumers</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.type}>
                <td>{g.type}</td>
                <td>{g.lag ?? '—'}</td>
                <td>{g.pending}</td>
                <td>{g.consumers}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {!props.last && <span className="arrow" aria-hidden="true" />}
    </article>
  );
}

/** Three lines over sixty minutes, drawn as SVG: no chart library in the first load. */
function PerMinuteChart({ rows }: { rows: JobStats['per_minute'] }) {
  const W = 600;
  const H = 160;
  const pad = 24;
  const max = Math.max(1, ...rows.flatMap((r) => [r.created, r.completed, r.failed]));
  const x = (i: number) => pad + (i * (W - 2 * pad)) / Math.max(1, rows.length - 1);
  const y = (v: number) => H - pad - (v * (H - 2 * pad)) / max;
  const line = (key: 'created' | 'completed' | 'failed') => rows.map((r, i) => `${x(i)},${y(r[key])}`).join(' ');
  const total = (key: 'created' | 'completed' | 'failed') => rows.reduce((n, r) => n + r[key], 0);
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Per minute over the last hour: ${total('created')} created, ${total('completed')} completed, ${total('failed')} failed`}
      >
        <line x1={pad} x2={W - pad} y1={H - pad} y2={H - pad} className="axis" />
        <text x={pad} y={pad - 8} className="tick">
          {max}/min
        </text>
        <text x={pad} y={H - 6} className="tick">
          −60 min
        </text>
        <text x={W - pad} y={H - 6} className="tick" textAnchor="end">
          now
        </text>
        <polyline points={line('created')} className="series created" />
        <polyline points={line('completed')} className="series completed" />
        <polyline points={line('failed')} className="series failed" />
      </svg>
      <figcaption className="legend">
        <span className="key created">created {total('created')}</span>
        <span className="key completed">completed {total('completed')}</span>
        <span className="key failed">failed {total('failed')}</span>
      </figcaption>
    </figure>
  );
}

function Failures({ stats }: { stats: JobStats }) {
  const ended = stats.last_hour.completed + stats.last_hour.failed;
  const rate = ended ? (stats.last_hour.failed / ended) * 100 : 0;
  return (
    <>
      <p>
        <strong>{rate.toFixed(1)}%</strong> of {num(ended)} jobs that ended in the last hour failed
        {stats.last_hour.cancelled ? ` (${stats.last_hour.cancelled} cancelled)` : ''}.
      </p>
      {stats.failures_by_code.length === 0 ? (
        <p className="muted">No failures.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">error code</th>
              <th scope="col">jobs</th>
              <th scope="col">share</th>
            </tr>
          </thead>
          <tbody>
            {stats.failures_by_code.map((f) => (
              <tr key={f.error_code}>
                <td>
                  <code>{f.error_code}</code>
                </td>
                <td>{f.count}</td>
                <td>
                  <meter min={0} max={Math.max(1, stats.last_hour.failed)} value={f.count} />{' '}
                  {((f.count / Math.max(1, stats.last_hour.failed)) * 100).toFixed(0)}%
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
