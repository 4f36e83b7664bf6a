import { useState } from 'react';
import { api, must, problemOf, type ApiProblem, type CreateJobBody, type Job } from '../api/client';
import { duration, time } from '../format';
import { usePoll } from '../hooks';
import { go, href } from '../router';
import { copy, ProblemLine, Section, StatusBadge } from '../ui';

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The request a job was made from: what Resubmit sends, and what the commands show. */
function requestOf(job: Job): CreateJobBody {
  return {
    operation_type: job.operation_type,
    provider_id: job.provider_id,
    params: job.params as CreateJobBody['params'],
    priority: job.priority,
    name: job.name,
    description: job.description,
    workspace_id: job.workspace_id,
    ...(job.callback_url ? { callback_url: job.callback_url } : {}),
  };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function curlCommand(job: Job, origin = window.location.origin): string {
  const body = JSON.stringify({ operation_type: job.operation_type, params: job.params, priority: job.priority });
  return (
    `curl -X POST ${origin}/api/v1/jobs -H "Authorization: Bearer $PIXSIM_TOKEN" ` +
    `-H 'Content-Type: application/json' -d ${shellQuote(body)}`
  );
}

function pixsimCommand(job: Job): string {
  const p = job.params as Record<string, unknown>;
  const flags: [string, unknown][] = [
    ['--model', p.model],
    ['--quality', p.quality],
    ['--duration', p.duration],
    ['--aspect', p.aspect_ratio],
    ['--image-url', p.image_url],
    ['--seed', p.seed],
    ['--negative-prompt', p.negative_prompt],
    ['--priority', job.priority],
  ];
  const args = flags.filter(([, v]) => v !== undefined && v !== null).map(([f, v]) => `${f} ${shellQuote(String(v))}`);
  return ['pixsim submit', shellQuote(String(p.prompt ?? '')), ...args].join(' ');
}

export function JobPage({ id, admin }: { id: string; admin: boolean }) {
  const job = usePoll(() => must(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } })), 2000, [id]);
  const timeline = usePoll(() => must(api.GET('/api/v1/jobs/{id}/timeline', { params: { path: { id } } })), 2000, [id]);
  const assetId = job.data?.asset_id;
  const asset = usePoll(
    () =>
      assetId ? must(api.GET('/api/v1/assets/{id}', { params: { path: { id: assetId } } })) : Promise.resolve(null),
    0,
    [assetId],
  );
  const [problem, setProblem] = useState<ApiProblem>();
  const [note, setNote] = useState('');

  if (job.problem && !job.data) return <ProblemLine problem={job.problem} />;
  const j = job.data;
  if (!j) return <p className="loading">Loading job {id}…</p>;

  const cancel = async () => {
    setProblem(undefined);
    const { error, response } = await api.DELETE('/api/v1/jobs/{id}', { params: { path: { id } } });
    if (error) setProblem(problemOf(error, response));
    job.reload();
  };
  const resubmit = async () => {
    setProblem(undefined);
    const { data, error, response } = await api.POST('/api/v1/jobs', { body: requestOf(j) });
    if (error || !data) return setProblem(problemOf(error, response));
    go(`jobs/${data.id}`);
  };
  const copyText = async (label: string, text: string) =>
    setNote((await copy(text)) ? `${label} copied` : `select the ${label} below`);

  return (
    <>
      <p>
        <a href={href('jobs')}>← Jobs</a>
      </p>
      <h1>
        Job <span className="mono">{j.id}</span> <StatusBadge status={j.status} />
      </h1>
      <div className="actions">
        <button type="button" className="danger" onClick={cancel} disabled={ENDED.has(j.status)}>
          Cancel job
        </button>
        <button type="button" onClick={resubmit}>
          Resubmit
        </button>
        <button type="button" className="ghost" onClick={() => copyText('curl command', curlCommand(j))}>
          Copy curl
        </button>
        <button type="button" className="ghost" onClick={() => copyText('pixsim command', pixsimCommand(j))}>
          Copy pixsim command
        </button>
        <span role="status" className="muted">
          {note}
        </span>
      </div>
      <ProblemLine problem={problem} />
      {j.status === 'COMPLETED' && (
        <Section title="Video">
          {asset.data ? (
            // biome-ignore lint/a11y/useMediaCaption: generated videos have no captions
            <video
              className="player"
              controls
              preload="metadata"
              src={asset.data.remote_url}
              aria-label={`Video of job ${j.id}`}
            />
          ) : (
            <p className="muted">The asset is being recorded…</p>
          )}
          {asset.data && (
            <p className="small muted">
              {asset.data.width}×{asset.data.height}, {asset.data.duration_sec ?? '?'} s —{' '}
              <a href={asset.data.remote_url}>{asset.data.remote_url}</a>
            </p>
          )}
        </Section>
      )}
      {j.error_code && (
        <p className="problem">
          <strong>{j.error_code}</strong> {j.error_message}
        </p>
      )}
      <div className="grid2">
        <Section title="Request">
          <dl className="kv">
            <dt>operation</dt>
            <dd>{j.operation_type}</dd>
            <dt>provider</dt>
            <dd>{j.provider_id}</dd>
            {Object.entries(j.params).map(([k, v]) => [<dt key={`k${k}`}>{k}</dt>, <dd key={`v${k}`}>{String(v)}</dd>])}
            <dt>priority</dt>
            <dd>{j.priority}</dd>
            {admin && [
              <dt key="u">user</dt>,
              <dd key="uv" className="mono">
                {j.user_id}
              </dd>,
            ]}
            {j.name && [<dt key="n">name</dt>, <dd key="nv">{j.name}</dd>]}
            {j.callback_url && [<dt key="c">callback</dt>, <dd key="cv">{j.callback_url}</dd>]}
          </dl>
        </Section>
        <Section title="State">
          <dl className="kv">
            <dt>status</dt>
            <dd>
              {j.status}
              {j.status_detail ? ` (${j.status_detail})` : ''}
            </dd>
            <dt>retries</dt>
            <dd>{j.retry_count}</dd>
            <dt>provider job</dt>
            <dd className="mono">{j.provider_job_id ?? '—'}</dd>
            <dt>created</dt>
            <dd>{time(j.created_at)}</dd>
            <dt>started</dt>
            <dd>{time(j.started_at)}</dd>
            <dt>ended</dt>
            <dd>{time(j.completed_at)}</dd>
          </dl>
        </Section>
      </div>
      <Section title="Timeline">
        <ProblemLine problem={timeline.problem} />
        <ol className="timeline" aria-label="Timeline">
          {timeline.data?.events.map((e) => (
            <li key={e.event_id} className={`ev ev-${e.type.toLowerCase()}`}>
              <span className="when" title={e.at}>
                {new Date(e.at).toLocaleTimeString()}
              </span>
              <span className="svc">{e.service}</span>
              <strong>{e.type}</strong>
              {e.since_previous_ms !== null && <span className="hop">+{duration(e.since_previous_ms)}</span>}
              {e.attempt !== null && <span>attempt {e.attempt}</span>}
              {e.detail && <span className="muted">{e.detail}</span>}
              {e.provider_job_id && <span className="mono small">provider {e.provider_job_id}</span>}
              {e.account_id && <span className="mono small">account {e.account_id}</span>}
              {e.error_code && (
                <span className="err">
                  <code>{e.error_code}</code> {e.error_message}
                  {e.error_explanation && <em> — {e.error_explanation}</em>}
                </span>
              )}
            </li>
          ))}
        </ol>
        {timeline.data?.events.length === 0 && <p className="muted">No events recorded for this job yet.</p>}
      </Section>
      <Section title="The same request from a shell">
        <pre className="cmd" title="curl command">
          {curlCommand(j)}
        </pre>
        <pre className="cmd" title="pixsim command">
          {pixsimCommand(j)}
        </pre>
      </Section>
    </>
  );
}
