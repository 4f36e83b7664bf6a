import { parseArgs } from 'node:util';
import { start, ttlMonitorPeriod } from './index.js';

const USAGE =
  'usage: mongo-dev [--port 27017] [--host 127.0.0.1] [--snapshot <file>] [--ttl-monitor-ms 60000]\n' +
  '  MONGO_DEV_TTL_MONITOR_MS sets the TTL monitor period when --ttl-monitor-ms is not given';

interface Args {
  port: number;
  host: string;
  snapshot: string | undefined;
  ttlMonitorMs: number;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      snapshot: { type: 'string' },
      'ttl-monitor-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer 0-65535, got '${values.port}'`);
  const ttl = values['ttl-monitor-ms'];
  return {
    port,
    host: values.host,
    snapshot: values.snapshot,
    ttlMonitorMs: ttlMonitorPeriod(ttl === undefined ? undefined : Number(ttl)),
  };
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`mongo-dev: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const server = await start({
    port: args.port,
    host: args.host,
    snapshotPath: args.snapshot,
    ttlMonitorMs: args.ttlMonitorMs,
    logger: { info: (...a) => console.log(...a), warn: (...a) => console.warn(...a) },
  });
  console.log(`mongo-dev listening: ${server.uri}`);
  const shutdown = (): void => {
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('mongo-dev: stop failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(`mongo-dev: ${(err as Error).message}`);
  process.exit(1);
});
