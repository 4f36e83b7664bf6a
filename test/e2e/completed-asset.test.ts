import { describe, expect, it } from 'vitest';
import { useTestSystem } from '../harness/system.js';
import { submitMany } from './helpers.js';

interface View {
  id: string;
  status: string;
  status_detail: string | null;
  asset_id: string | null;
}

/** Every `event: job` view of one job's stream, until the server ends it. */
async function watch(gatewayUrl: string, token: string, jobId: string): Promise<View[]> {
  const res = await fetch(`${gatewayUrl}/api/v1/jobs/${jobId}/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`events ${jobId}: ${res.status}`);
  const text = await res.text(); // the stream ends after the final view
  return text
    .split('\n\n')
    .filter((block) => block.includes('event: job'))
    .map(
      (block) =>
        JSON.parse(
          block
            .split('\n')
            .find((l) => l.startsWith('data: '))!
            .slice(6),
        ) as View,
    );
}

describe('a COMPLETED job has its asset (five services as processes)', () => {
  const system = useTestSystem({
    simulator: {
      latencyMs: 300,
      accounts: [{ apiKey: 'sim-key-completed-asset', credits: 1_000_000, maxConcurrent: 50 }],
    },
    env: { POLL_INTERVAL_S: '1', SSE_HEARTBEAT_MS: '1000' },
  });

  it('when 20 jobs are watched through SSE, then no view says COMPLETED without an asset_id, and each asset answers 200', async () => {
    const sys = system();
    const ids = await submitMany(sys, 20, 'a lighthouse at dusk');
    const streams = await Promise.all(ids.map((id) => watch(sys.gatewayUrl!, sys.adminToken, id)));
    for (const [i, views] of streams.entries()) {
      expect(views.length, ids[i]).toBeGreaterThan(0);
      expect(
        views.filter((v) => v.status === 'COMPLETED' && !v.asset_id),
        ids[i],
      ).toEqual([]);
      expect(views.at(-1)!.status, ids[i]).toBe('COMPLETED');
    }
    for (const id of ids) {
      const job = await sys.api<View>('GET', `/api/v1/jobs/${id}`);
      expect(job.body).toMatchObject({ status: 'COMPLETED', asset_id: expect.any(String) });
      expect((await sys.api('GET', `/api/v1/assets/${job.body.asset_id}`)).status).toBe(200);
    }
    const list = await sys.api<{ items: View[] }>('GET', '/api/v1/jobs?limit=100');
    expect(list.body.items.filter((j) => j.status === 'COMPLETED' && !j.asset_id)).toEqual([]);
  });
});
