import type { SealedSecret } from '@pixsim/contracts';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { openSecret, sealSecret, type Keyring } from './secret-box.js';

/** A stored document holding a sealed provider credential. */
export interface CredentialHolder {
  id: string;
  credential: SealedSecret;
}

/** What a service's store offers for re-sealing; the store stays the owner of its collection. */
export interface ResealPort {
  /** Holders still in use whose credential is sealed under another key than `kid`. */
  sealedUnderOtherKeys(kid: string): AsyncIterable<CredentialHolder>;
  /** Swaps in `next` only if the credential is still `was`; false when it changed meanwhile. */
  replaceCredential(id: string, was: SealedSecret, next: SealedSecret): Promise<boolean>;
}

export interface ResealReport {
  resealed: number;
  /** Sealed under a key PIXSIM_SECRET_KEY no longer has: they stay as they are. */
  unreadable: number;
  /** Key ids of the unreadable ones, for the operator. */
  missingKids: string[];
}

export interface Resealer {
  /** One pass over the store; never throws for a single credential. */
  run(): Promise<ResealReport>;
  /** A pass soon after start, then every `intervalMs`. */
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

/**
 * Key rotation (DESIGN §6): with a new key first in PIXSIM_SECRET_KEY, every
 * credential still sealed under an older key is opened and sealed again under
 * the new one, so the old key can be dropped. `pixsim_credentials_old_key` says
 * how many are left after each pass: 0 on every service means it is safe.
 */
export function createResealer(opts: {
  keyring: Keyring;
  port: ResealPort;
  logger: Logger;
  registry?: Registry;
  /** What the credentials belong to, for the logs ("provider accounts", "generations"). */
  holders: string;
}): Resealer {
  const { keyring, port, holders } = opts;
  const logger = opts.logger.child({ component: 'reseal' });
  // Registered after the first pass: until then the count is unknown, and an absent
  // series says so where a 0 would wrongly say the old key can go.
  let left: Gauge | undefined;
  const publishLeft = (count: number) => {
    if (!opts.registry) return;
    left ??= new Gauge({
      name: 'pixsim_credentials_old_key',
      help: 'Stored credentials sealed under a key other than the first of PIXSIM_SECRET_KEY, after the last re-seal pass (0: the old key can go)',
      registers: [opts.registry],
    });
    left.set(count);
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ResealReport> | undefined;

  const pass = async (): Promise<ResealReport> => {
    const report: ResealReport = { resealed: 0, unreadable: 0, missingKids: [] };
    const missing = new Set<string>();
    for await (const holder of port.sealedUnderOtherKeys(keyring.currentKid)) {
      if (!keyring.keys.has(holder.credential.kid)) {
        report.unreadable++;
        missing.add(holder.credential.kid);
        continue;
      }
      let plain: string;
      try {
        plain = openSecret(keyring, holder.credential);
      } catch (err) {
        report.unreadable++;
        logger.warn(
          { err, id: holder.id, kid: holder.credential.kid },
          `a credential of ${holders} does not open under its key; enter that API key again`,
        );
        continue;
      }
      if (await port.replaceCredential(holder.id, holder.credential, sealSecret(keyring, plain))) report.resealed++;
    }
    report.missingKids = [...missing];
    publishLeft(report.unreadable);
    if (report.resealed > 0)
      logger.info(
        { resealed: report.resealed, kid: keyring.currentKid },
        `re-sealed ${report.resealed} ${holders} under key "${keyring.currentKid}"`,
      );
    if (missing.size > 0) {
      logger.warn(
        { kids: report.missingKids },
        `some ${holders} are sealed under keys PIXSIM_SECRET_KEY does not have (${report.missingKids.join(', ')}): ` +
          'put the old key back after the new one, or enter those API keys again',
      );
    }
    return report;
  };

  const run = (): Promise<ResealReport> => (running ??= pass().finally(() => (running = undefined)));
  const runLogged = () =>
    void run().catch((err: unknown) => logger.warn({ err }, 're-sealing credentials failed; will try again'));

  return {
    run,
    start(intervalMs) {
      timer = setTimeout(
        function tick() {
          runLogged();
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        },
        Math.min(intervalMs, 5_000),
      );
      timer.unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
