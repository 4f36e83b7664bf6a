import type { SealedSecret } from '@pixsim/contracts';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { PRIVATE_KEYS_ENV } from './keys.js';
import { openCredential, SEAL_ALG, sealCredential, type Opener } from './seal.js';

/** A stored document holding a sealed provider credential. */
export interface CredentialHolder {
  id: string;
  /** The account the credential belongs to: its seal is bound to it. */
  accountId: string;
  credential: SealedSecret;
}

/** The current seal: values in another form or under another key id are re-sealed. */
export interface CurrentSeal {
  alg: typeof SEAL_ALG;
  kid: string;
}

/** What a service's store offers for re-sealing; the store stays the owner of its collection. */
export interface ResealPort {
  /** Holders still in use whose credential is not sealed as `current` (another key id or the older form). */
  sealedUnderOtherKeys(current: CurrentSeal): AsyncIterable<CredentialHolder>;
  /** Swaps in `next` only if the credential is still `was`; false when it changed meanwhile. */
  replaceCredential(id: string, was: SealedSecret, next: SealedSecret): Promise<boolean>;
}

export interface ResealReport {
  resealed: number;
  /** Sealed under a key this service no longer has, or damaged: they stay as they are. */
  unreadable: number;
  /** Key ids of those whose key is missing, for the operator. */
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
 * Key rotation: with a new private key first in PIXSIM_SEALING_PRIVATE_KEYS (and the
 * gateway given its public key), every credential still sealed under an older key,
 * or in the older symmetric form, is opened and sealed again to the current public
 * key, so the old key can be dropped. `pixsim_credentials_old_key` says how many are
 * left that do not open after each pass: 0 on every service means it is safe.
 */
export function createResealer(opts: {
  opener: Opener;
  port: ResealPort;
  logger: Logger;
  registry?: Registry;
  /** What the credentials belong to, for the logs ("provider accounts", "generations"). */
  holders: string;
}): Resealer {
  const { opener, port, holders } = opts;
  const current = opener.ring.current;
  const logger = opts.logger.child({ component: 'reseal' });
  // Registered after the first pass: until then the count is unknown, and an absent
  // series says so where a 0 would wrongly say the old key can go.
  let left: Gauge | undefined;
  const publishLeft = (count: number) => {
    if (!opts.registry) return;
    left ??= new Gauge({
      name: 'pixsim_credentials_old_key',
      help:
        `Stored credentials not sealed to the current key of ${PRIVATE_KEYS_ENV} that could not be re-sealed ` +
        `in the last pass (0: the old keys can go)`,
      registers: [opts.registry],
    });
    left.set(count);
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<ResealReport> | undefined;

  const pass = async (): Promise<ResealReport> => {
    const report: ResealReport = { resealed: 0, unreadable: 0, missingKids: [] };
    const missing = new Set<string>();
    for await (const holder of port.sealedUnderOtherKeys({ alg: SEAL_ALG, kid: current.kid })) {
      let plain: string;
      try {
        plain = openCredential(opener, holder.accountId, holder.credential);
      } catch (err) {
        report.unreadable++;
        if ((err as { code?: string }).code === 'SECRET_KEY_UNKNOWN') {
          missing.add(describeKey(holder.credential));
          continue;
        }
        logger.warn(
          { err, id: holder.id, kid: holder.credential.kid },
          `a credential of ${holders} does not open under its key; enter that API key again`,
        );
        continue;
      }
      const next = sealCredential(current, holder.accountId, plain);
      if (await port.replaceCredential(holder.id, holder.credential, next)) report.resealed++;
    }
    report.missingKids = [...missing];
    publishLeft(report.unreadable);
    if (report.resealed > 0)
      logger.info(
        { resealed: report.resealed, kid: current.kid },
        `re-sealed ${report.resealed} ${holders} under key "${current.kid}"`,
      );
    if (missing.size > 0) {
      logger.warn(
        { kids: report.missingKids },
        `some ${holders} are sealed under keys this service does not have (${report.missingKids.join(', ')}): ` +
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

/** `k1` for a sealing key, `k1 (PIXSIM_SECRET_KEY)` for a key of the older symmetric form. */
const describeKey = (sealed: SealedSecret): string =>
  sealed.alg === SEAL_ALG ? sealed.kid : `${sealed.kid} (PIXSIM_SECRET_KEY)`;
