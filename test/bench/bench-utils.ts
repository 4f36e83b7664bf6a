import os from 'node:os';

export interface BenchRow {
  name: string;
  events: number;
  seconds: number;
  extra?: Record<string, string | number>;
}

export const rate = (row: BenchRow) => row.events / row.seconds;

export function printTable(title: string, rows: readonly BenchRow[]): void {
  console.log(`\n${title}`);
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}`,
  );
  const extras = [...new Set(rows.flatMap((r) => Object.keys(r.extra ?? {})))];
  const header = ['contender', 'events', 'seconds', 'events/s', ...extras];
  const lines = rows.map((r) => [
    r.name,
    String(r.events),
    r.seconds.toFixed(2),
    Math.round(rate(r)).toLocaleString('en-US'),
    ...extras.map((k) => String(r.extra?.[k] ?? '')),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}

/** Reads `--name value` or the NAME environment variable, as a positive integer. */
export function intArg(name: string, fallback: number, opts: { zero?: boolean } = {}): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !opts.zero)) {
    const what = opts.zero ? 'an integer ≥ 0' : 'a positive integer';
    console.error(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

export function progress(label: string, done: () => number, total: number): () => void {
  if (!process.stderr.isTTY) return () => {};
  const timer = setInterval(() => process.stderr.write(`\r${label}: ${done()}/${total}   `), 250);
  return () => {
    clearInterval(timer);
    process.stderr.write(`\r${' '.repeat(60)}\r`);
  };
}
