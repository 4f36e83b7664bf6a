// The whole-system smoke test, on whatever Node runs it: `npm start` as a user runs it
// (fresh data dir, free ports), one job submitted over HTTP until COMPLETED with its asset,
// then Ctrl-C (SIGINT) and a clean exit with no process left behind.
//
//   node --import tsx test/smoke/one-job.ts         (CI runs it on the production Node too)
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { deleteKeys } from '@pixsim/testkit';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEADLINE_MS = 180_000;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Running, not merely a zombie waiting for a parent (pid 1 in a container may never reap it). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of every process below `pid` (from /proc), so the test can see none survives. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirProc()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), entry]);
    } catch {}
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function readdirProc(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pixsim-smoke-'));
  const port = await freePort();
  const started = Date.now();
  console.log(`smoke: node ${process.version}, npm start on port ${port}, data in ${dataDir}`);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts'), '--latency', '500'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), PIXSIM_DATA_DIR: dataDir, STREAM_PREFIX: `smoke${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const fail = (why: string): never => {
    console.error(`${output.slice(-4000)}\nsmoke: ${why}`);
    for (const pid of descendants(child.pid!)) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
    console.log('0 passed, 1 failed');
    process.exit(1);
  };
  const until = async (what: string, check: () => Promise<boolean> | boolean) => {
    while (!(await check())) {
      if (Date.now() - started > DEADLINE_MS) fail(`timed out waiting for ${what}`);
      if (child.exitCode !== null) fail(`npm start exited (${child.exitCode}) while waiting for ${what}`);
      await sleep(250);
    }
  };

  await until('the system to be ready', () => output.includes('pixsim is running'));
  const api = `http://127.0.0.1:${port}/api/v1`;
  const token = readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const post = await fetch(`${api}/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ operation_type: 'text_to_video', params: { prompt: 'a smoke test' } }),
  });
  if (post.status !== 202) fail(`POST /jobs answered ${post.status}: ${await post.text()}`);
  const { id } = (await post.json()) as { id: string };
  let job: { status: string; asset_id: string | null } = { status: 'PENDING', asset_id: null };
  await until(`job ${id} to complete with its asset`, async () => {
    job = (await (await fetch(`${api}/jobs/${id}`, { headers })).json()) as typeof job;
    if (job.status === 'FAILED' || job.status === 'CANCELLED') fail(`job ended ${JSON.stringify(job)}`);
    return job.status === 'COMPLETED' && job.asset_id !== null;
  });
  const asset = await fetch(`${api}/assets/${job.asset_id}`, { headers });
  if (asset.status !== 200) fail(`GET /assets answered ${asset.status}`);
  console.log(`smoke: job ${id} COMPLETED with asset ${job.asset_id} in ${Date.now() - started} ms`);

  const tree = descendants(child.pid!);
  child.kill('SIGINT');
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stoppedAt = Date.now();
  while (tree.some(alive) && Date.now() - stoppedAt < 10_000) await sleep(200);
  const left = tree.filter(alive);
  if (exitCode !== 0) fail(`npm start exited ${exitCode} after SIGINT`);
  if (left.length) fail(`processes left after SIGINT: ${left.join(', ')}`);
  rmSync(dataDir, { recursive: true, force: true });
  // The run's streams, groups and publish marks: CI runs this against a Redis it keeps.
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  await deleteKeys(redis, `smoke${port}`);
  redis.disconnect();
  console.log(`smoke: stopped cleanly (${tree.length} processes, none left)`);
  console.log('1 passed, 0 failed');
}

await main();
