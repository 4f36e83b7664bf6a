import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Run {
  code: number | null;
  lines: Record<string, unknown>[];
  ms: number;
  stderr: string;
}

/** Starts the fixture, waits for it to be ready, applies `act`, collects its output until it exits. */
function runChild(args: string[], act: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], { cwd: root });
    let out = '';
    let acted = false;
    let started = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!acted && out.includes('"ready":true')) {
        acted = true;
        started = Date.now();
        act(child);
      }
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, ms: Date.now() - started, stderr: err });
    });
  });
}

const closeCalls = (run: Run) => run.lines.filter((l) => 'closeCall' in l);
const messages = (run: Run) => run.lines.map((l) => String(l.msg ?? ''));

describe('onShutdown', () => {
  it('when the process gets SIGTERM, then close runs once with the reason and the process exits 0', async () => {
    const run = await runChild(['signal'], (child) => child.kill('SIGTERM'));
    expect(run.code).toBe(0);
    expect(closeCalls(run)).toEqual([{ closeCall: 1, reason: 'SIGTERM', aborted: true }]);
    expect(messages(run)).toContain('shutting down (SIGTERM)');
    expect(messages(run)).toContain('shutdown complete');
  });

  it('when SIGINT arrives, then it is handled like SIGTERM', async () => {
    const run = await runChild(['signal'], (child) => child.kill('SIGINT'));
    expect(run.code).toBe(0);
    expect(closeCalls(run)).toEqual([{ closeCall: 1, reason: 'SIGINT', aborted: true }]);
  });

  it('when a second signal arrives while closing, then close is not run again and the process exits 1 at once', async () => {
    const run = await runChild(['slow'], (child) => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGTERM'), 200);
    });
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(2_500); // the close function alone takes 3 s
    expect(closeCalls(run)).toHaveLength(1);
    expect(messages(run)).toContain('second SIGTERM while shutting down, exiting now');
  });

  it('when an exception is uncaught, then close runs once, the error is logged and the process exits 1', async () => {
    const run = await runChild(['throw'], () => {});
    expect(run.code).toBe(1);
    expect(closeCalls(run)).toEqual([{ closeCall: 1, reason: 'uncaught error (Error)', aborted: true }]);
    const fatal = run.lines.find((l) => l.level === 60);
    expect(fatal).toMatchObject({ err: { message: 'kaboom' } });
  });

  it('when a promise rejection is unhandled, then it shuts down like an uncaught exception', async () => {
    const run = await runChild(['reject'], () => {});
    expect(run.code).toBe(1);
    expect(closeCalls(run)).toHaveLength(1);
  });

  it('when close overruns the delay, then the process exits 1 after the delay', async () => {
    const run = await runChild(['hang', '300'], (child) => child.kill('SIGTERM'));
    expect(run.code).toBe(1);
    expect(run.ms).toBeGreaterThanOrEqual(250);
    expect(messages(run)).toContain('shutdown did not finish within 300 ms, exiting');
  });
});
