import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * Builds the console into apps/console/dist: API types from the gateway's own OpenAPI
 * document (no server needed), a type check, the Vite build, and the size of what the
 * first load fetches. `ensureConsoleBuilt` rebuilds only when a source is newer.
 */
export const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = join(APP_DIR, 'dist');
const SCHEMA_FILE = join(APP_DIR, 'src/api/schema.d.ts');
/** The first load's budget, gzipped JavaScript. */
export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;

export async function writeApiTypes(): Promise<boolean> {
  const [{ default: openapiTS, astToString }, { gatewayOpenApiDocument }] = await Promise.all([
    import('openapi-typescript'),
    import('./openapi-document.js'),
  ]);
  const doc = await gatewayOpenApiDocument();
  const raw = `/** Generated from the gateway's OpenAPI document by scripts/build.ts: do not edit. */\n${astToString(await openapiTS(doc as never))}`;
  // Written as the repository's formatter writes it, so a build leaves the checked-in file unchanged.
  const biome = fileURLToPath(new URL('../../../node_modules/.bin/biome', import.meta.url));
  const text = existsSync(biome)
    ? execFileSync(biome, ['format', `--stdin-file-path=${SCHEMA_FILE}`], { input: raw, encoding: 'utf8' })
    : raw;
  if (existsSync(SCHEMA_FILE) && readFileSync(SCHEMA_FILE, 'utf8') === text) return false;
  writeFileSync(SCHEMA_FILE, text);
  return true;
}

export interface BuildReport {
  files: { name: string; bytes: number; gzip: number }[];
  firstLoadGzip: number;
  ms: number;
}

export async function buildConsole(log: (line: string) => void = console.log): Promise<BuildReport> {
  const started = Date.now();
  await writeApiTypes();
  const tsc = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url));
  execFileSync(tsc, ['-p', join(APP_DIR, 'tsconfig.json'), '--noEmit'], { stdio: 'inherit' });
  const { build } = await import('vite');
  // Vite follows NODE_ENV: under vitest (NODE_ENV=test) React would ship its development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(APP_DIR, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const assets = join(DIST_DIR, 'assets');
  const files = readdirSync(assets).map((name) => {
    const body = readFileSync(join(assets, name));
    return { name, bytes: body.length, gzip: gzipSync(body).length };
  });
  const html = readFileSync(join(DIST_DIR, 'index.html'), 'utf8');
  const firstLoadGzip = files
    .filter((f) => f.name.endsWith('.js') && html.includes(f.name))
    .reduce((n, f) => n + f.gzip, 0);
  for (const f of files) log(`  ${f.name.padEnd(32)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip).padStart(9)}`);
  log(
    `console: first load ${kb(firstLoadGzip)} gzipped JS (budget ${kb(FIRST_LOAD_BUDGET_BYTES)}), built in ` +
      `${Date.now() - started} ms`,
  );
  if (firstLoadGzip > FIRST_LOAD_BUDGET_BYTES)
    throw new Error(`console first load is ${kb(firstLoadGzip)} gzipped, over budget`);
  return { files, firstLoadGzip, ms: Date.now() - started };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Newest modification time under the paths the console is built from. */
function newestSource(): number {
  const roots = [
    join(APP_DIR, 'src'),
    join(APP_DIR, 'index.html'),
    join(APP_DIR, 'vite.config.ts'),
    join(APP_DIR, 'package.json'),
  ];
  let newest = 0;
  const walk = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (!p.endsWith('schema.d.ts')) newest = Math.max(newest, s.mtimeMs);
  };
  for (const r of roots) if (existsSync(r)) walk(r);
  return newest;
}

/** Builds when dist is missing or older than a source; otherwise keeps what is there. */
export async function ensureConsoleBuilt(log: (line: string) => void = console.log): Promise<'built' | 'cached'> {
  const index = join(DIST_DIR, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource()) return 'cached';
  await buildConsole(log);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = !process.argv.includes('--if-stale');
  let result: string;
  if (force) {
    await buildConsole();
    result = 'built';
  } else result = await ensureConsoleBuilt();
  if (result === 'cached') console.log('console: up to date (apps/console/dist)');
  process.exit(0);
}
