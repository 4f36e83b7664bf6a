import type { JobView } from './commands/views.js';

/**
 * Follows GET /api/v1/jobs/{id}/events (server-sent events, `event: job`, one job
 * view per status change, ending after the terminal one). Yields each view; the
 * iteration ends when the server closes the stream. Throws when the stream cannot
 * be opened, so the caller can fall back to polling.
 */
export async function* jobEvents(
  url: string,
  token: string,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): AsyncGenerator<JobView> {
  const res = await fetchImpl(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal,
  });
  if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`no event stream (${res.status})`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const view = parseBlock(block);
      if (view) yield view;
    }
  }
}

/** One SSE block: comments (heartbeats) and other event types are skipped. */
function parseBlock(block: string): JobView | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (event !== 'job' || data.length === 0) return null;
  try {
    return JSON.parse(data.join('\n')) as JobView;
  } catch {
    return null;
  }
}
