import { useState } from 'react';
import { api, must } from '../api/client';
import { ago } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';
import { ProblemLine } from '../ui';

/** Finished videos; the first frame comes from the video itself (preload="metadata"). */
export function AssetsPage() {
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const assets = usePoll(() => must(api.GET('/api/v1/assets', { params: { query: { limit: 24, cursor } } })), 5000, [
    cursor,
  ]);
  return (
    <>
      <h1>Assets</h1>
      <ProblemLine problem={assets.problem} />
      <ul className="gallery" aria-label="Videos">
        {assets.data?.items.map((a) => (
          <li key={a.id}>
            <a href={href(`jobs/${a.job_id}`)} aria-label={`Job ${a.job_id}`}>
              <video
                src={`${a.remote_url}#t=0.1`}
                preload="metadata"
                muted
                playsInline
                tabIndex={-1}
                aria-hidden="true"
              />
              <span className="caption">
                <span className="mono">{a.job_id}</span>
                <span className="muted">
                  {a.width}×{a.height} · {a.duration_sec ?? '?'} s · {ago(a.created_at)}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
      {assets.data?.items.length === 0 && <p className="muted">No videos yet.</p>}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!assets.data?.next_cursor}
          onClick={() => assets.data?.next_cursor && setCursors((c) => [...c, assets.data!.next_cursor!])}
        >
          Older
        </button>
      </nav>
    </>
  );
}
