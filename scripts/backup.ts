// MongoDB backups without mongodump: the CronJobs (k8s/base/backup) and operators run this.
//
//   backup.ts backup  --db pixsim-gateway[,pixsim-poller…] --out /backups [--keep 14]
//   backup.ts restore --from /backups/<run> [--db pixsim-gateway…] [--rename old=new…] [--drop]
//
// The URI comes from --uri or MONGODB_URI (a user allowed to read, or write, those databases).
// Each backup run is one directory, /backups/<ISO time>/<database>/…; docs/operations/backup-restore.md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { backupDatabase, pruneBackups, restoreDatabase, runName } from './backup/mongo-backup.js';

const USAGE = `usage: backup.ts backup --db <db>[,<db>…] --out <dir> [--keep N] [--uri URI]
       backup.ts restore --from <run dir> [--db <db>[,<db>…]] [--rename <from>=<to>]… [--drop] [--uri URI]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      uri: { type: 'string' },
      db: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'string' },
      from: { type: 'string' },
      rename: { type: 'string', multiple: true },
      drop: { type: 'boolean' },
    },
  });
  const uri = values.uri ?? process.env.MONGODB_URI;
  if (!uri || (command !== 'backup' && command !== 'restore')) {
    console.error(uri ? USAGE : `MONGODB_URI (or --uri) is not set\n${USAGE}`);
    return 64;
  }
  const databases = values.db
    ? values.db
        .split(',')
        .map((d) => d.trim())
        .filter(Boolean)
    : [];
  const client = await new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    if (command === 'backup') {
      if (!values.out || databases.length === 0) {
        console.error(`backup needs --out and --db\n${USAGE}`);
        return 64;
      }
      const run = path.join(values.out, runName(new Date()));
      for (const name of databases) {
        const m = await backupDatabase(client.db(name), run);
        const docs = m.collections.reduce((n, c) => n + c.documents, 0);
        console.log(
          JSON.stringify({
            msg: 'backed up',
            database: name,
            collections: m.collections.length,
            documents: docs,
            to: run,
          }),
        );
      }
      if (values.keep) {
        const removed = await pruneBackups(values.out, Number(values.keep));
        if (removed.length) console.log(JSON.stringify({ msg: 'pruned old backups', removed }));
      }
      return 0;
    }
    if (!values.from) {
      console.error(`restore needs --from\n${USAGE}`);
      return 64;
    }
    const renames = new Map((values.rename ?? []).map((r) => r.split('=', 2) as [string, string]));
    const { readdir } = await import('node:fs/promises');
    const inRun = (await readdir(values.from, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.endsWith('.partial'))
      .map((e) => e.name);
    for (const name of databases.length ? databases : inRun) {
      const target = renames.get(name) ?? name;
      const m = await restoreDatabase(client.db(target), path.join(values.from, name), { drop: values.drop ?? false });
      console.log(JSON.stringify({ msg: 'restored', database: name, into: target, collections: m.collections.length }));
    }
    return 0;
  } finally {
    await client.close();
  }
}

process.exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`backup.ts: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
});
