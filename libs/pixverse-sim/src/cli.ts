import { parseArgs } from 'node:util';
import type { AccountSpec, SimulatorOptions } from './types.js';

const USAGE = `usage: pixverse-sim [--port 0] [--host 127.0.0.1] [--latency MS] [--slot-release MS]
                    [--account KEY:CREDITS:MAXCONC]... (or PIXVERSE_SIM_ACCOUNTS=K:C:M,…) [--webhook-url URL --webhook-secret S]
                    [--seed N] [--state FILE] [--log-level warn]`;

function integer(flag: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new Error(`--${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

function account(spec: string): AccountSpec {
  const m = /^(.+):(\d+):(\d+)$/.exec(spec);
  if (!m) throw new Error(`--account must be KEY:CREDITS:MAXCONC, got '${spec}'`);
  return { apiKey: m[1]!, credits: Number(m[2]), maxConcurrent: Number(m[3]) };
}

function parse(argv: string[]): SimulatorOptions & { logLevel: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      latency: { type: 'string' },
      'slot-release': { type: 'string' },
      account: { type: 'string', multiple: true },
      'webhook-url': { type: 'string' },
      'webhook-secret': { type: 'string' },
      seed: { type: 'string' },
      state: { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = integer('port', values.port)!;
  if (port > 65535) throw new Error(`--port must be at most 65535, got '${values.port}'`);
  const opts: SimulatorOptions & { logLevel: string } = { port, host: values.host, logLevel: values['log-level'] };
  opts.latencyMs = integer('latency', values.latency);
  opts.slotReleaseMs = integer('slot-release', values['slot-release']);
  opts.seed = integer('seed', values.seed);
  // PIXVERSE_SIM_ACCOUNTS (KEY:CREDITS:MAXCONC, comma-separated) keeps keys out of `ps`.
  const fromEnv = (process.env.PIXVERSE_SIM_ACCOUNTS ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  opts.accounts = [...fromEnv, ...(values.account ?? [])].map(account);
  if (values.state !== undefined) {
    if (!values.state) throw new Error('--state needs a file path');
    opts.statePath = values.state;
  }
  const url = values['webhook-url'];
  const secret = values['webhook-secret'];
  if ((url === undefined) !== (secret === undefined)) throw new Error('--webhook-url and --webhook-secret go together');
  if (url !== undefined && secret !== undefined) opts.webhook = { url, secret };
  return opts;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`pixverse-sim: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  // Loaded after the flags are checked, so a bad flag fails fast.
  const [{ pino }, { startSimulator }] = await Promise.all([import('pino'), import('./server.js')]);
  const logger = pino({ name: 'pixverse-sim', level: opts.logLevel }, pino.destination(2));
  const sim = await startSimulator({ ...opts, logger });
  console.log(`pixverse-sim listening: ${sim.url}`);
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('pixverse-sim: stop failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(`pixverse-sim: ${(err as Error).message}`);
  process.exit(1);
});
