import { setTimeout as sleep } from 'node:timers/promises';
import { SeedError } from './errors.js';
import type { SimulatorAccount } from './types.js';

export interface SeedInput {
  gatewayUrl: string;
  adminToken: string;
  account: SimulatorAccount;
  /** How long to wait for the new account's balance to reach the gateway's read model. */
  settleMs?: number;
}

async function call(
  input: SeedInput,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(path, input.gatewayUrl), {
    method,
    headers: {
      authorization: `Bearer ${input.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* keep the text for the error message */
  }
  return { status: res.status, json };
}

function expectOk(what: string, r: { status: number; json: unknown }): void {
  if (r.status >= 200 && r.status < 300) return;
  throw new SeedError(
    `seeding the simulator account: ${what} answered ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`,
  );
}

function itemsOf(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  const items = (json as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}

/**
 * Gives a gateway with no provider account the simulator's account, so a fresh system
 * can run a job at once. Its credits are the provider's balance, which the dispatcher
 * reads when the account is created; adding the simulator's credits on top would count
 * them twice. A gateway that has any account is left alone.
 */
export async function seedSimulatorAccount(input: SeedInput): Promise<'seeded' | 'present'> {
  const list = await call(input, 'GET', '/api/v1/accounts');
  expectOk('GET /api/v1/accounts', list);
  if (itemsOf(list.json).length > 0) return 'present';
  const created = await call(input, 'POST', '/api/v1/accounts', {
    provider_id: 'pixverse',
    api_key: input.account.apiKey,
    nickname: 'simulator',
    max_concurrent_jobs: input.account.maxConcurrent,
  });
  expectOk('POST /api/v1/accounts', created);
  const id = (created.json as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw new SeedError('seeding the simulator account: POST /api/v1/accounts answered without an id');
  // Wait for the balance, so the first job finds an account with credits rather than waiting for one.
  const path = `/api/v1/accounts/${encodeURIComponent(String(id))}`;
  const deadline = Date.now() + (input.settleMs ?? 10_000);
  for (;;) {
    const account = await call(input, 'GET', path);
    if (account.status === 200 && Number((account.json as { credits?: unknown } | null)?.credits) > 0) return 'seeded';
    if (account.status !== 200 && account.status !== 404) expectOk(`GET ${path}`, account);
    if (Date.now() >= deadline) {
      throw new SeedError(
        `seeding the simulator account: its balance did not arrive within ${input.settleMs ?? 10_000} ms; the ` +
          `dispatcher reads it from the simulator, so look at the dispatcher's log`,
      );
    }
    await sleep(200);
  }
}
