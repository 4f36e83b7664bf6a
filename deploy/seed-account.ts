/**
 * Gives a fresh gateway the simulator's account (with credits), as `npm start` does, so a
 * `docker compose up` or a dev cluster can run a job at once. A gateway that already has
 * any provider account is left alone, so running it again is harmless.
 *
 *   GATEWAY_URL=http://gateway:8000 PIXSIM_ADMIN_TOKEN=… SIM_ACCOUNT=KEY:CREDITS:MAXCONC \
 *     node --import tsx deploy/seed-account.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { seedSimulatorAccount } from '@pixsim/cli';

function parseAccount(spec: string | undefined): { apiKey: string; credits: number; maxConcurrent: number } {
  const m = /^(.+):(\d+):(\d+)$/.exec(spec ?? '');
  if (!m)
    throw new Error(
      `SIM_ACCOUNT must be KEY:CREDITS:MAXCONC (the simulator's --account), got ${JSON.stringify(spec ?? '')}`,
    );
  return { apiKey: m[1]!, credits: Number(m[2]), maxConcurrent: Number(m[3]) };
}

async function main(): Promise<void> {
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://gateway:8000';
  const adminToken = process.env.PIXSIM_ADMIN_TOKEN;
  if (!adminToken) throw new Error('PIXSIM_ADMIN_TOKEN is required');
  const account = parseAccount(process.env.SIM_ACCOUNT);
  // The gateway may still be starting (refused, or 503 while its dependencies come up).
  const deadline = Date.now() + Number(process.env.SEED_TIMEOUT_MS ?? 120_000);
  for (;;) {
    try {
      const outcome = await seedSimulatorAccount({ gatewayUrl, adminToken, account });
      console.log(
        outcome === 'seeded'
          ? 'seeded the simulator account into the gateway'
          : 'the gateway already has provider accounts; not seeding',
      );
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      console.error(`seed-account: ${(err as Error).message}; retrying`);
      await sleep(2_000);
    }
  }
}

main().catch((err: unknown) => {
  console.error(`seed-account: ${(err as Error).message}`);
  process.exit(1);
});
