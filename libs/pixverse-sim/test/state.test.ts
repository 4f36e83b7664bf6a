import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/index.js';
import { balance, generate, KEY, result, sleep, until } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/pixverse-sim.js', import.meta.url));
const running: Simulator[] = [];

async function stateFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'pixverse-sim-state-')), 'state.json');
}

async function startWith(statePath: string, opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({
    statePath,
    latencyMs: 0,
    accounts: [{ apiKey: KEY, credits: 1_000, maxConcurrent: 1 }],
    ...opts,
  });
  running.push(sim);
  return sim;
}

async function stop(sim: Simulator): Promise<void> {
  running.splice(running.indexOf(sim), 1);
  await sim.stop();
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('simulator state file', () => {
  it('when the simulator restarts mid-generation, then the generation, its slot and the spent credits are still there', async () => {
    const file = await stateFile();
    const first = await startWith(file, { latencyMs: 1_500 });
    const {
      Resp: { video_id },
    } = await generate(first, 'a cat surfing');
    const spent = 1_000 - (await balance(first));
    expect(spent).toBeGreaterThan(0);
    await stop(first);

    const second = await startWith(file, { latencyMs: 0 });
    // Still generating, at the latency it was submitted with, not the new default.
    expect((await result(second, video_id)).Resp.status).toBe(5);
    // The account's one slot is still held by it.
    expect((await generate(second, 'a second cat')).ErrCode).toBe(500044);
    // The seeded account keeps its saved credits rather than the ones given at start.
    expect(await balance(second)).toBe(1_000 - spent);
    await until(async () => (await result(second, video_id)).Resp.status === 1, 5_000);
    expect((await result(second, video_id)).Resp.url).toMatch(new RegExp(`/${video_id}\\.mp4$`));
    // The slot is free again once it finished, and new ids never repeat old ones.
    const next = await generate(second, 'a third cat');
    expect(next.ErrCode).toBe(0);
    expect(next.Resp.video_id).toBeGreaterThan(video_id);
  });

  it('when a generation came due while the simulator was down, then it is finished at the first call after the restart', async () => {
    const file = await stateFile();
    const first = await startWith(file, { latencyMs: 300 });
    const {
      Resp: { video_id },
    } = await generate(first, 'a dog skiing [sim:fail]');
    await stop(first);
    await sleep(400);
    const second = await startWith(file);
    expect((await result(second, video_id)).Resp.status).toBe(8);
  });

  it('when the bin is killed with SIGKILL, then a restart still knows what it accepted up to the last periodic write', async () => {
    const file = await stateFile();
    const spawnSim = () => {
      const child = spawn(
        process.execPath,
        [BIN, '--port', '0', '--latency', '60000', '--account', `${KEY}:1000:4`, '--state', file],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const url = new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /pixverse-sim listening: (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      return { child, url };
    };
    const first = spawnSim();
    const base = await first.url;
    const submit = await fetch(`${base}/openapi/v2/video/text/generate`, {
      method: 'POST',
      headers: { 'API-KEY': KEY, 'Ai-trace-id': 'trace-before-kill', 'content-type': 'application/json' },
      body: JSON.stringify({
        prompt: 'a fox in the snow',
        model: 'v4.5',
        quality: '540p',
        duration: 5,
        aspect_ratio: '16:9',
      }),
    });
    const videoId = ((await submit.json()) as { Resp: { video_id: number } }).Resp.video_id;
    await until(async () => (await readFile(file, 'utf8').catch(() => '')).includes(String(videoId)), 5_000);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = spawnSim();
    try {
      const res = await fetch(`${await second.url}/openapi/v2/video/result/${videoId}`, {
        headers: { 'API-KEY': KEY, 'Ai-trace-id': 't2' },
      });
      expect(await res.json()).toMatchObject({ ErrCode: 0, Resp: { id: videoId, status: 5 } });
    } finally {
      second.child.kill('SIGTERM');
    }
  });

  it('when the state file is not one it can read, then the start fails naming the file and what to do', async () => {
    const file = await stateFile();
    await writeFile(file, '{"v": 1, "savedAt": 0, "accounts": "nope"}');
    await expect(startSimulator({ statePath: file })).rejects.toThrow(
      new RegExp(
        `the simulator state ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not hold a state ` +
          `.*accounts.*delete it`,
      ),
    );
    await writeFile(file, 'not json');
    await expect(startSimulator({ statePath: file })).rejects.toThrow(
      /is not JSON .*delete it to start with a fresh simulator/,
    );
  });

  it('when reset, then the file is rewritten without the generations', async () => {
    const file = await stateFile();
    const sim = await startWith(file, { stateIntervalMs: 50 });
    const {
      Resp: { video_id },
    } = await generate(sim, 'a heron');
    await until(async () => (await readFile(file, 'utf8').catch(() => '')).includes(String(video_id)));
    sim.reset();
    await until(async () => !(await readFile(file, 'utf8')).includes(String(video_id)));
    const saved = JSON.parse(await readFile(file, 'utf8')) as { generations: unknown[]; accounts: unknown[] };
    expect(saved.generations).toEqual([]);
    expect(saved.accounts).toHaveLength(1);
    expect((await stat(file)).mode & 0o777).toBe(0o600); // it holds the accounts' API keys
  });
});
