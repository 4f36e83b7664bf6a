/**
 * `npm run bench`: every benchmark at full size, one after the other, each in its own
 * process (each prints its table and a last line with its ratio), then a summary: every
 * target's figure and ratio line, from all of them. Exits non-zero when one of them cannot
 * complete. Extra flags go to every benchmark's environment as BENCH_*.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Each benchmark with its arguments: the idle one reads five minutes, past the first idle collection. */
const benches: Array<[file: string, args: string[]]> = [
  ['bus.bench.ts', []],
  ['gateway.bench.ts', []],
  ['e2e.bench.ts', []],
  ['poller-capacity.bench.ts', []],
  ['idle.bench.ts', ['--seconds', '300', '--step-s', '60']],
];
const failed: string[] = [];
/** The lines that state a target or a ratio, by benchmark. */
const summary: string[] = [];
const TARGET_LINE = /^(ratio:|memory targets|gateway resident memory:|pixsim MongoDB round trips per job =)/;

/** Runs one benchmark, its output passed through as it comes, and keeps its target lines. */
function run(file: string, args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 30 * 60_000,
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (TARGET_LINE.test(line)) summary.push(`  ${file}: ${line}`);
    });
    child.on('close', (code, signal) => resolve(code === 0 ? null : `${file} (exit ${code ?? signal})`));
  });
}

for (const [file, args] of benches) {
  console.log(`\n=== ${file} ===`);
  const failure = await run(file, args);
  if (failure) failed.push(failure);
}
console.log(`\n=== targets and ratios ===\n${summary.join('\n')}`);
if (failed.length) {
  console.error(`\nbenchmarks that could not complete: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall benchmarks completed');
