// `npm run migrate`: builds every service's MongoDB indexes, one database per service.
// Idempotent; prints what it creates and drops. A changed index definition is dropped and
// built again. Run it before the services start (npm start and the test harness do).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrateServices } from '@pixsim/persistence';

const USAGE = `usage: npm run migrate -- [--db <service>=<database>]... [<service>...]
  MONGODB_URI        the server (default mongodb://127.0.0.1:27017)
  MONGODB_DB_<NAME>  a service's database, e.g. MONGODB_DB_JOB_INTAKE (default pixsim-<service>)
  --db svc=db        the same on the command line
  <service>...       only these services (default: every service that declares its indexes)`;

const { values, positionals } = parseArgs({
  options: { db: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const fromArgs = new Map(
  (values.db ?? []).map((pair) => {
    const [service, db] = pair.split('=');
    if (!service || !db) {
      console.error(`--db expects <service>=<database>, got '${pair}'\n${USAGE}`);
      process.exit(2);
    }
    return [service, db] as const;
  }),
);
const envName = (service: string) => `MONGODB_DB_${service.toUpperCase().replace(/-/g, '_')}`;
const uri = process.env.MONGODB_URI || 'mongodb://127.0.0.1:27017';

try {
  await migrateServices({
    uri,
    repoRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
    services: positionals.length ? positionals : undefined,
    dbName: (service) => fromArgs.get(service) ?? process.env[envName(service)] ?? `pixsim-${service}`,
  });
} catch (err) {
  console.error(`migrate failed: ${(err as Error).message}`);
  process.exit(1);
}
