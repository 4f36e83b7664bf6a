/**
 * Callbacks under chaos: a client endpoint that refuses a seeded share of POSTs with a
 * 500 (so retries happen while services are being killed), and the check that every
 * job that asked for a callback got its final view, signed, at least once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { verifyCallback } from '../../services/gateway/src/callbacks/callback-signature.js';

export const CALLBACK_SECRET = 'chaos-callback-secret-0123456789';

interface Post {
  delivery: string;
  body: string;
  signature: string;
  answered: number;
}

export async function startCallbackReceiver(random: () => number, refuseRate = 0.2) {
  const posts: Post[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const answered = random() < refuseRate ? 500 : 204;
      posts.push({
        delivery: String(req.headers['x-pixsim-delivery']),
        body,
        signature: String(req.headers['x-pixsim-signature']),
        answered,
      });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/pixsim`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type CallbackReceiver = Awaited<ReturnType<typeof startCallbackReceiver>>;

const EVENT_OF: Record<string, string> = {
  COMPLETED: 'job.completed',
  FAILED: 'job.failed',
  CANCELLED: 'job.cancelled',
};

/** Callbacks the gateway still has to deliver (the settle waits for none). */
export async function pendingCallbacks(mongo: Connection, prefix: string): Promise<number> {
  return mongo.useDb(`${prefix}-gateway`).collection('callbacks').countDocuments({ state: 'pending' });
}

export async function callbackCheck(
  mongo: Connection,
  prefix: string,
  receiver: CallbackReceiver,
  wanted: Set<string>,
  statusOf: Map<string, string>,
  /** The owner's callback secret (each user's callbacks are signed with a secret of their own). */
  secret: string,
): Promise<{ name: string; ok: boolean; detail: string }> {
  const docs = (await mongo.useDb(`${prefix}-gateway`).collection('callbacks').find({}).toArray()) as unknown as Array<{
    _id: string;
    state: string;
  }>;
  const states: Record<string, number> = {};
  for (const d of docs) states[d.state] = (states[d.state] ?? 0) + 1;
  const now = Math.floor(Date.now() / 1000);
  const problems: string[] = [];
  let repeats = 0;
  for (const id of wanted) {
    const taken = receiver.posts.filter((p) => p.delivery === id && p.answered < 300);
    repeats += Math.max(0, taken.length - 1);
    const status = statusOf.get(id);
    const good = taken.find((p) => {
      const body = JSON.parse(p.body) as {
        event: string;
        job: { id: string; status: string };
        asset: { job_id: string } | null;
      };
      return (
        verifyCallback(secret, p.body, p.signature, now, 3_600) &&
        body.job.id === id &&
        body.job.status === status &&
        body.event === EVENT_OF[status ?? ''] &&
        (status !== 'COMPLETED' || body.asset?.job_id === id)
      );
    });
    if (!good) problems.push(`${id} (${status}): ${taken.length ? 'no POST matched its final view' : 'no POST taken'}`);
  }
  const strays = docs.filter((d) => !wanted.has(d._id));
  const refused = receiver.posts.filter((p) => p.answered >= 300).length;
  return {
    name: 'every job that asked for a callback got its final view',
    ok:
      problems.length === 0 &&
      strays.length === 0 &&
      docs.length === wanted.size &&
      (states.delivered ?? 0) === wanted.size,
    detail:
      `${wanted.size} jobs with a callback_url: ${wanted.size - problems.length} got it signed, ${problems.length} did not; ` +
      `${receiver.posts.length} POSTs (${refused} answered 500 and retried, ${repeats} repeats after a 2xx: at least once); ` +
      `stored: ${
        Object.entries(states)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      }, for jobs without one ${strays.length}` +
      (problems.length ? `\n${problems.slice(0, 10).join('\n')}` : ''),
  };
}
