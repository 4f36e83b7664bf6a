import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one place the CLI reads its environment and the files `npm start` leaves behind. */
export const DEFAULT_URL = 'http://127.0.0.1:8000';
const REPO_ROOT = path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

export interface CliConfig {
  url: string;
  token: string | undefined;
  /** Where the token came from, for the 401 hint. */
  tokenSource: 'flag' | 'env' | 'file' | 'none';
  dataDir: string;
  redisUrl: string | undefined;
  prefix: string;
}

function readFirstLine(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Flag, then environment, then what `npm start` wrote into the data dir, then the default. */
export function resolveConfig(
  flags: { url?: string; token?: string; redis?: string; prefix?: string },
  env: NodeJS.ProcessEnv,
): CliConfig {
  const dataDir = env.PIXSIM_DATA_DIR || path.join(REPO_ROOT, '.pixsim');
  const url = flags.url || env.PIXSIM_URL || readFirstLine(path.join(dataDir, 'gateway.url')) || DEFAULT_URL;
  let token: string | undefined;
  let tokenSource: CliConfig['tokenSource'] = 'none';
  if (flags.token) [token, tokenSource] = [flags.token, 'flag'];
  else if (env.PIXSIM_TOKEN) [token, tokenSource] = [env.PIXSIM_TOKEN, 'env'];
  else {
    token = readFirstLine(path.join(dataDir, 'admin.token'));
    if (token) tokenSource = 'file';
  }
  return {
    url: url.replace(/\/+$/, ''),
    token,
    tokenSource,
    dataDir,
    redisUrl: flags.redis || undefined,
    prefix: flags.prefix || env.STREAM_PREFIX || 'pixsim',
  };
}

/** REDIS_URL for `streams` when it reads Redis itself. */
export function redisUrlFrom(cfg: CliConfig, env: NodeJS.ProcessEnv): string {
  return cfg.redisUrl || env.REDIS_URL || 'redis://127.0.0.1:6379';
}
