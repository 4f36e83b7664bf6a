// `npm start`: the whole system on this machine, under the supervisor of @pixsim/cli, running
// the compiled build production runs (dist/, rebuilt first when a source is newer).
// `npm run dev` runs the TypeScript sources through tsx instead (`npm start -- --source`).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applyEnvFile, REPO_ROOT, startSystem, SupervisorError, wipeDataDir, type SystemHandle } from '@pixsim/cli';
import { ensureConsoleBuilt } from '../apps/console/scripts/build.js';
import { buildIfStale, DIST } from './build.js';

const USAGE = `usage: npm start -- [--json] [--latency MS] [--fresh] [--replicas N] [--source]
  --json         print the services' raw pino JSON lines
  --latency MS   how long a simulated generation takes (default 3000, so PROCESSING shows)
  --fresh        wipe the data dir (.pixsim/: stored jobs, accounts, keys) first
  --replicas N   N processes of every service (default 1): gateways on PORT, PORT+1, …
  --source       run the TypeScript sources through tsx, not the compiled dist/ (npm run dev)
environment: PORT (gateway, 8000), STREAM_PREFIX (pixsim), REDIS_URL, NATS_URL,
  MONGODB_URI (else a mongo-dev child), PIXVERSE_BASE_URL (else the simulator),
  PIXSIM_ADMIN_TOKEN, PIXSIM_SEALING_PRIVATE_KEYS (else kept in the data dir), PIXSIM_DATA_DIR,
  and every service setting (README, Configuration); a .env file in this directory
  fills in what the environment leaves unset`;

function parse(): { json: boolean; latencyMs: number; fresh: boolean; replicas: number; source: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        json: { type: 'boolean' },
        latency: { type: 'string', default: '3000' },
        fresh: { type: 'boolean' },
        replicas: { type: 'string', default: '1' },
        source: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const latencyMs = Number(values.latency);
    if (!/^\d+$/.test(values.latency!)) throw new Error(`--latency expects milliseconds, got '${values.latency}'`);
    if (!/^\d+$/.test(values.replicas!) || Number(values.replicas) < 1)
      throw new Error(`--replicas expects a whole number from 1, got '${values.replicas}'`);
    return {
      json: Boolean(values.json),
      latencyMs,
      fresh: Boolean(values.fresh),
      replicas: Number(values.replicas),
      source: Boolean(values.source),
    };
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function banner(sys: SystemHandle, latencyMs: number, tokenFromEnv: boolean, providerUrl: string | undefined): string {
  // Short paths for the usual case (the data dir under the repo), absolute ones otherwise.
  const rel = (p: string): string => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') || path.isAbsolute(r) ? p : r || '.';
  };
  const dataDir = sys.dataDir!;
  const mongo = sys.processes['mongo-dev']
    ? `${sys.mongoUri} (mongo-dev; snapshot in ${rel(path.join(dataDir, 'mongo.snapshot'))})`
    : sys.mongoUri;
  return [
    '',
    'pixsim is running',
    ...gatewayLines(sys),
    `  console      ${sys.gatewayUrl}/console   (sign in with the admin token below)`,
    `  admin token  ${sys.adminToken}   (${tokenFromEnv ? 'from PIXSIM_ADMIN_TOKEN' : 'kept'} in ` +
      `${rel(path.join(dataDir, 'admin.token'))})`,
    providerUrl
      ? `  provider     ${providerUrl}   (PIXVERSE_BASE_URL, so no simulator: add your accounts with npx pixsim accounts add)`
      : `  simulator    ${sys.simulatorUrl}   (PixVerse stand-in, ${latencyMs} ms per generation)`,
    `  mongodb      ${mongo}`,
    `  streams      prefix "${sys.prefix}"`,
    `  data         ${rel(dataDir)}   (npm start -- --fresh wipes it)`,
    '',
    'next, in another terminal:',
    '  npx pixsim submit "a cat surfing" --wait',
    '  npx pixsim jobs',
    '  npx pixsim streams',
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/** One line per gateway replica; any of them serves the whole API. */
function gatewayLines(sys: SystemHandle): string[] {
  const urls = sys.gatewayUrls;
  if (urls.length <= 1) return [`  gateway      ${sys.gatewayUrl}   (API under /api/v1, docs at /docs)`];
  return urls.map((url, i) => {
    const note = i === 0 ? `   (${urls.length} replicas; each serves the whole API under /api/v1, docs at /docs)` : '';
    return `  ${`gateway#${i + 1}`.padEnd(13)}${url}${note}`;
  });
}

/** Says which settings came from .env (names only: values may be secrets). */
function loadDotEnv(): void {
  const file = path.join(process.cwd(), '.env');
  const loaded = applyEnvFile(file, process.env);
  if (!loaded) return;
  const names = (keys: string[]) => (keys.length ? keys.join(', ') : 'none');
  console.log(
    `read ${file}: ${names(loaded.applied)}` +
      (loaded.shadowed.length ? `; already set in the environment, which wins: ${names(loaded.shadowed)}` : ''),
  );
}

async function main(): Promise<void> {
  const args = parse();
  loadDotEnv();
  const dataDir = process.env.PIXSIM_DATA_DIR
    ? path.resolve(process.env.PIXSIM_DATA_DIR)
    : path.join(REPO_ROOT, '.pixsim');
  if (args.fresh) await wipeDataDir(dataDir);
  // The web console is served by the gateway from apps/console/dist: built here when a source is newer.
  await ensureConsoleBuilt((line) => console.log(line)).catch((err: unknown) => {
    console.error(`console: not built (${(err as Error).message.split('\n')[0]}); the API works without it`);
  });
  const fromSource = args.source;
  // Rebuilt only when a TypeScript source is newer than dist/ (a second or two with esbuild).
  if (!fromSource) await buildIfStale((line) => console.log(line));
  const providerUrl = process.env.PIXVERSE_BASE_URL || undefined;
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const sys = await startSystem({
    env: process.env,
    dataDir,
    logs: args.json ? 'json' : 'pretty',
    color,
    // A provider named in the environment is used as it is; the simulator is only the default.
    simulator: providerUrl ? false : { latencyMs: args.latencyMs },
    // Ten seconds between polls (the services' default) is long for a person watching a
    // three-second generation.
    commonEnv: process.env.POLL_INTERVAL_S ? {} : { POLL_INTERVAL_S: '2' },
    handleSignals: true,
    replicas: args.replicas,
    ...(fromSource ? {} : { compiled: DIST }),
  });
  process.stdout.write(banner(sys, args.latencyMs, Boolean(process.env.PIXSIM_ADMIN_TOKEN), providerUrl));
}

main().catch((err: unknown) => {
  if (err instanceof SupervisorError) console.error(`\nnpm start: ${err.message}`);
  else console.error('\nnpm start failed:', err);
  process.exit(1);
});
