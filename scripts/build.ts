// `npm run build`: compile every service (and the dev tools npm start runs) to plain JavaScript
// under dist/, with source maps, so production and `npm start` run no TypeScript compiler.
//
// esbuild bundles the project's own workspaces (@pixsim/*: they ship TypeScript sources) into
// each entry and leaves every other package external, loaded from node_modules at run time:
// the OpenTelemetry loader hook must see ioredis, mongoose and undici load as packages to
// patch them.
import { statSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const SERVICES = ['gateway', 'job-intake', 'dispatcher', 'poller', 'asset'] as const;

/** Entry name (under dist/, without .js) → TypeScript source. */
export const ENTRIES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(SERVICES.map((s) => [`services/${s}/main`, `services/${s}/src/main.ts`])),
  'telemetry-register': 'libs/kit/src/telemetry-register.ts',
  'mongo-dev': 'libs/mongo-dev/src/cli.ts',
  'pixverse-sim': 'libs/pixverse-sim/src/cli.ts',
};

const externalPackages: esbuild.Plugin = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@pixsim/') ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * Builds into a directory of its own, then swaps it in: two builds at once (two test runs
 * starting together) never write into each other's files, and a reader sees either the old
 * build or the new one whole.
 */
/**
 * `new URL('../../x', import.meta.url)` in a source names a file relative to that source
 * (the gateway finds apps/console/dist this way); bundled, import.meta.url is the output
 * file's, at another depth. Rewritten to resolve against the source's own path under the
 * repository, found at run time as the directory above dist/ (the image keeps the layout).
 */
const sourceRelativeUrls: esbuild.Plugin = {
  name: 'source-relative-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url') || args.path.includes(`${path.sep}node_modules${path.sep}`))
        return undefined;
      const source = JSON.stringify(path.relative(ROOT, args.path).split(path.sep).join('/'));
      const root = "import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 1)";
      return {
        contents: text.replace(
          /new URL\((\s*(['"])[^'"]*\2\s*),\s*import\.meta\.url\s*\)/g,
          (_m, rel: string) => `new URL(${rel}, ${root} + ${source})`,
        ),
        loader: 'ts',
      };
    });
  },
};

export async function build(): Promise<{ ms: number; files: number }> {
  const started = Date.now();
  const out = `${DIST}.tmp-${process.pid}-${started}`;
  const result = await esbuild
    .build({
      absWorkingDir: ROOT,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, path.join(ROOT, v)])),
      outdir: out,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Maps without the sources' text: stack traces map back to the TypeScript, and a
      // process that loads them (--enable-source-maps) does not hold every source in memory.
      sourcemap: true,
      sourcesContent: false,
      plugins: [externalPackages, sourceRelativeUrls],
      metafile: true,
      logLevel: 'warning',
    })
    .catch(async (err: unknown) => {
      await rm(out, { recursive: true, force: true });
      throw err;
    });
  const old = `${DIST}.old-${process.pid}-${started}`;
  await rename(DIST, old).catch(() => {});
  await rename(out, DIST).catch(async (err: NodeJS.ErrnoException) => {
    // Another build swapped its output in first: that one is as new as this one.
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    await rm(out, { recursive: true, force: true });
  });
  await rm(old, { recursive: true, force: true });
  return { ms: Date.now() - started, files: Object.keys(result.metafile.outputs).length };
}

/** Newest modification time of the sources a build reads (libs and services, TypeScript). */
async function newestSource(): Promise<number> {
  let newest = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'test' || entry.name === 'dist') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  await walk(path.join(ROOT, 'libs'));
  await walk(path.join(ROOT, 'services'));
  return newest;
}

/** Builds when dist/ is missing or older than a source; says which it did. */
export async function buildIfStale(log: (line: string) => void = console.log): Promise<void> {
  let built = 0;
  try {
    built = statSync(path.join(DIST, 'services/gateway/main.js')).mtimeMs;
  } catch {}
  if (built && built >= (await newestSource())) return;
  log(built ? 'sources changed since the last build: building dist/' : 'building dist/ (first start)');
  const { ms, files } = await build();
  log(`built ${files} files in ${ms} ms`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ms, files } = await build();
  console.log(`built ${files} files into dist/ in ${ms} ms`);
}
