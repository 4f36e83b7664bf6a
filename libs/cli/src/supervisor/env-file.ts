import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { SupervisorError } from './errors.js';

export interface EnvFileResult {
  /** Keys the file set (they were not in the environment), sorted. */
  applied: string[];
  /** Keys the file also names but the environment already had: the environment wins. */
  shadowed: string[];
}

/**
 * Fills `env` from a `.env` file (Node's own parser: comments, quotes, `export`), as the
 * system pixsim replaces read its settings; a variable already set is left alone, so a
 * one-off `REDIS_URL=… npm start` still wins. Null when there is no such file.
 */
export function applyEnvFile(file: string, env: NodeJS.ProcessEnv): EnvFileResult | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SupervisorError(
      'ENV_FILE_UNREADABLE',
      `cannot read ${file} (${(err as Error).message}); fix it or move it away`,
      { cause: err },
    );
  }
  const result: EnvFileResult = { applied: [], shadowed: [] };
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value === undefined) continue;
    if (env[key] !== undefined) result.shadowed.push(key);
    else {
      env[key] = value;
      result.applied.push(key);
    }
  }
  result.applied.sort();
  result.shadowed.sort();
  return result;
}
