// The compiled build (dist/) that tests and benchmarks run, as production does.
import { buildIfStale, DIST } from '../../scripts/build.js';

let built: Promise<void> | undefined;

/**
 * dist/ as of the sources, built at most once per process (and only when a source is newer);
 * undefined when PIXSIM_TEST_FROM_SOURCE=1 asks for the TypeScript sources through tsx.
 */
export async function compiledBuild(): Promise<string | undefined> {
  if (process.env.PIXSIM_TEST_FROM_SOURCE === '1') return undefined;
  built ??= buildIfStale((line) => void process.stderr.write(`${line}\n`));
  await built;
  return DIST;
}
