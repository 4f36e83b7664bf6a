import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/pixverse-sim.js', import.meta.url));

function run(args: string[]): {
  child: ReturnType<typeof spawn>;
  stdout: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const stdout = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', () => reject(new Error(`exited early: ${out}${err}`)));
  });
  stdout.catch(() => undefined); // a test that expects an early exit never awaits it
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr: () => err, exit };
}

describe('pixverse-sim bin', () => {
  it('when started, then it prints its URL, serves the API and exits 0 on SIGTERM', async () => {
    const { child, stdout, exit } = run(['--port', '0', '--latency', '0', '--account', 'sk-cli:500:2', '--seed', '3']);
    const line = await stdout;
    const url = /pixverse-sim listening: (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(url).toBeDefined();
    const res = await fetch(`${url}/openapi/v2/account/balance`, {
      headers: { 'API-KEY': 'sk-cli', 'Ai-trace-id': 't' },
    });
    expect(await res.json()).toMatchObject({ ErrCode: 0, Resp: { credit_package: 500 } });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('when a flag is bad, then it explains and exits 2', async () => {
    const runs = [['--bogus'], ['--account', 'no-colons'], ['--port', 'abc']].map(run);
    for (const { exit, stderr } of runs) {
      expect(await exit).toBe(2);
      expect(stderr()).toMatch(/^pixverse-sim: .+\nusage: pixverse-sim/);
    }
  });
});
