import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { start as startMongo, type MongoDevServer } from '@pixsim/mongo-dev';
import { SERVICES } from '@pixsim/contracts';
import { startTestSystem, type Job, type TestSystem } from '../harness/system.js';
import { submitJob } from './helpers.js';
import { generateSealingKeyPair } from '@pixsim/credentials';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BACKUP = ['--import', 'tsx', path.join(ROOT, 'scripts/backup.ts')];

// The same sealing key and provider account on both sides: restored provider keys are only
// usable with the key they were sealed under (docs/operations/backup-restore.md, "Key escrow").
const SEALING_KEYS = generateSealingKeyPair('k1').privateKey;
const ACCOUNT = { apiKey: 'sim-key-restore', credits: 1_000_000, maxConcurrent: 5 };
const tag = randomUUID().slice(0, 6);
const dbs = (side: string) => Object.fromEntries(SERVICES.map((s) => [s, { MONGODB_DB: `${side}-${tag}-${s}` }]));

describe('backup and restore', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('when the databases of a running system are backed up and restored into a fresh server, then the system resumes there: an old job is visible and a new one completes', async () => {
    const system = (side: string, seedAccount: boolean): Promise<TestSystem> =>
      startTestSystem({
        sealingPrivateKeys: SEALING_KEYS,
        seedAccount,
        simulator: { latencyMs: 500, accounts: [ACCOUNT] },
        serviceEnv: dbs(side),
      });

    const before = await system('bk', true);
    cleanup.push(() => before.stop());
    const oldId = await submitJob(before, 'a harbour at dawn, before the backup');
    const [old] = await before.waitForAll([oldId], ['COMPLETED'], 90_000);

    const dir = await mkdtemp(path.join(tmpdir(), 'pixsim-backup-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const names = SERVICES.map((s) => `bk-${tag}-${s}`);
    await run(process.execPath, [...BACKUP, 'backup', '--db', names.join(','), '--out', dir], {
      cwd: ROOT,
      env: { ...process.env },
    });
    await before.stop();
    const [stamp] = await readdir(dir);
    expect((await readdir(path.join(dir, stamp!))).sort()).toEqual([...names].sort());

    // A fresh server, as after losing the old one; the restored system is pointed at it.
    const fresh: MongoDevServer = await startMongo({ port: 0 });
    cleanup.push(() => fresh.stop());
    await run(
      process.execPath,
      [
        ...BACKUP,
        'restore',
        '--uri',
        fresh.uri,
        '--from',
        path.join(dir, stamp!),
        ...SERVICES.flatMap((s) => ['--rename', `bk-${tag}-${s}=rs-${tag}-${s}`]),
      ],
      { cwd: ROOT },
    );
    const previousUri = process.env.MONGODB_URI;
    process.env.MONGODB_URI = fresh.uri;
    let after: TestSystem;
    try {
      after = await system('rs', false);
    } finally {
      process.env.MONGODB_URI = previousUri;
    }
    cleanup.push(() => after.stop());

    const seen = await after.api<Job>('GET', `/api/v1/jobs/${oldId}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: oldId, status: 'COMPLETED', asset_id: old!.asset_id });

    const newId = await submitJob(after, 'a harbour at dusk, after the restore');
    const [done] = await after.waitForAll([newId], ['COMPLETED', 'FAILED', 'CANCELLED'], 90_000);
    expect(done?.status, JSON.stringify(done)).toBe('COMPLETED');
  });
});
