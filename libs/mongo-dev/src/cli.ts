import { parseArgs } from 'node:util';
import { start } from './index.js';

const USAGE = 'usage: mongo-dev [--port 27017] [--host 127.0.0.1] [--snapshot <file>]';

function parse(argv: string[]): { port: number; host: string; snapshot: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '27017' },
      host: { type: 'string', default: '127.0.0.1' },
      snapshot: { type: 'string' },
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
  return { port, host: values.host, snapshot: values.snapshot };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
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
