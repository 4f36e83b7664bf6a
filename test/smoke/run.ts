// Runs the whole-system smoke test on this Node and, when PIXSIM_LTS_NODE names another Node
// binary (CI fetches the production LTS into it), on that one too.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'one-job.ts');
const nodes = [process.execPath, ...(process.env.PIXSIM_LTS_NODE ? [process.env.PIXSIM_LTS_NODE] : [])];
for (const node of nodes) {
  const run = spawnSync(node, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
