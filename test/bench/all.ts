/**
 * `npm run bench`: every benchmark at full size, one after the other, each in its own
 * process (each prints its table and a last line with its ratio). Exits non-zero when
 * one of them cannot complete. Extra flags go to every benchmark's environment as BENCH_*.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ['bus.bench.ts', 'gateway.bench.ts', 'e2e.bench.ts', 'poller-capacity.bench.ts'];
const failed: string[] = [];
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {
    stdio: 'inherit',
    timeout: 30 * 60_000,
  });
  if (r.status !== 0) failed.push(`${file} (exit ${r.status ?? r.signal})`);
}
if (failed.length) {
  console.error(`\nbenchmarks that could not complete: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nall benchmarks completed');
