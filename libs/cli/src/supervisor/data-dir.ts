import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSealingKeyPair, parsePrivateKeys, publicKeyOf } from '@pixsim/credentials';
import { SupervisorError } from './errors.js';

/**
 * What a local system keeps between runs, so a restarted system can still open the
 * credentials it sealed, and the simulator still knows the seeded account's key and
 * the generations of jobs that were running when the system stopped.
 */
export const DATA_FILES = {
  sealingKeys: 'sealing.key',
  /** The older symmetric key of systems started before sealing to a public key; read, never written. */
  legacySecretKey: 'secret.key',
  adminToken: 'admin.token',
  jwtSecret: 'jwt.secret',
  simAccountKey: 'sim-account.key',
  gatewayUrl: 'gateway.url',
  mongoSnapshot: 'mongo.snapshot',
  simState: 'pixverse-sim.json',
  lock: 'supervisor.pid',
} as const;

type Source = 'env' | 'file' | 'generated';

export interface SystemSecrets {
  /** PIXSIM_SEALING_PRIVATE_KEYS (`kid:base64,…`): the dispatcher's and the poller's only. */
  sealingPrivateKeys: string;
  /** PIXSIM_SEALING_PUBLIC_KEY (`kid:base64`) of the first private key: the gateway's. */
  sealingPublicKey: string;
  /** PIXSIM_SECRET_KEY of an older system, so credentials it sealed still open and get re-sealed. */
  legacySecretKey?: string;
  adminToken: string;
  /** JWT_SECRET of the gateway: signs user access tokens. */
  jwtSecret: string;
  simAccountKey: string;
  sources: { sealingKeys: Source; adminToken: Source; simAccountKey: Source };
}

async function readTrimmed(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return text || undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes a file only its owner can read (it holds a credential). */
async function writePrivate(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${content}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // `mode` applies only when the file is created
}

async function pick(
  given: string | undefined,
  dataDir: string | null,
  file: string,
  make: () => string,
): Promise<[string, Source]> {
  if (given) return [given, 'env'];
  const stored = dataDir ? await readTrimmed(path.join(dataDir, file)) : undefined;
  if (stored) return [stored, 'file'];
  const made = make();
  if (dataDir) await writePrivate(path.join(dataDir, file), made);
  return [made, 'generated'];
}

/** Secrets from the environment, else from `dataDir`, else new ones (kept in `dataDir` when there is one). */
export async function resolveSecrets(
  dataDir: string | null,
  given: { sealingPrivateKeys?: string; legacySecretKey?: string; adminToken?: string; jwtSecret?: string },
): Promise<SystemSecrets> {
  const [sealingPrivateKeys, s1] = await pick(
    given.sealingPrivateKeys,
    dataDir,
    DATA_FILES.sealingKeys,
    () => generateSealingKeyPair().privateKey,
  );
  const legacySecretKey =
    given.legacySecretKey ?? (dataDir ? await readTrimmed(path.join(dataDir, DATA_FILES.legacySecretKey)) : undefined);
  const [adminToken, s2] = await pick(
    given.adminToken,
    dataDir,
    DATA_FILES.adminToken,
    () => `pxa_${randomBytes(24).toString('base64url')}`,
  );
  const [simAccountKey, s3] = await pick(
    undefined,
    dataDir,
    DATA_FILES.simAccountKey,
    () => `sim_${randomBytes(16).toString('hex')}`,
  );
  const [jwtSecret] = await pick(given.jwtSecret, dataDir, DATA_FILES.jwtSecret, () =>
    randomBytes(48).toString('base64url'),
  );
  // A token from the environment is written too, so `pixsim` in a second terminal finds it.
  if (dataDir && s2 === 'env') await writePrivate(path.join(dataDir, DATA_FILES.adminToken), adminToken);
  return {
    sealingPrivateKeys,
    sealingPublicKey: publicKeyOf(parsePrivateKeys(sealingPrivateKeys)),
    ...(legacySecretKey ? { legacySecretKey } : {}),
    adminToken,
    jwtSecret,
    simAccountKey,
    sources: { sealingKeys: s1, adminToken: s2, simAccountKey: s3 },
  };
}

export async function writeGatewayUrl(dataDir: string, url: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, DATA_FILES.gatewayUrl), `${url}\n`);
}

/** `--fresh`: forget stored jobs, accounts and keys; never under a system that is running on them. */
export async function wipeDataDir(dataDir: string): Promise<void> {
  (await lockDataDir(dataDir)).release();
  await rm(dataDir, { recursive: true, force: true });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Held while a system runs on a data dir; `release` is safe to call more than once, and from an exit hook. */
export interface DataDirLock {
  release(): void;
}

/**
 * One system per data dir: two would write the same mongo-dev snapshot and simulator
 * state over each other. The lock is a file holding the supervisor's pid; one left by
 * a supervisor that died without removing it is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, DATA_FILES.lock);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        release() {
          try {
            if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
          } catch {
            /* gone already */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new SupervisorError(
          'DATA_DIR_IN_USE',
          `another pixsim (supervisor pid ${holder}) is running on ${dataDir}: stop it first, or give this one its ` +
            `own PIXSIM_DATA_DIR, PORT and STREAM_PREFIX`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new SupervisorError('DATA_DIR_IN_USE', `could not take the lock ${file}; remove it if no pixsim is running`);
}
